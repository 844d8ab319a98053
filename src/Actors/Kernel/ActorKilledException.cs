namespace PdCluster.Actors.Kernel;

/// <summary>The failure a <see cref="Kill"/> causes.</summary>
public sealed class ActorKilledException(string message) : Exception(message);
