namespace PdCluster.Actors.Kernel;

/// <summary>A <see cref="Terminated"/> the kernel delivers for a watch, told apart from one an actor merely forwards.</summary>
/// <summary>A Terminated on its way through the user queue, so it keeps its order with user messages.</summary>
internal sealed record WatchedTerminated(Terminated Terminated);
