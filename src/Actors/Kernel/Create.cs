namespace PdCluster.Actors.Kernel;

/// <summary>Starts the actor: constructs it and runs PreStart.</summary>
internal sealed record Create : SystemMessage;
