namespace PdCluster.Actors.Kernel;

/// <summary>Stops the actor: its children first, then PostStop.</summary>
internal sealed record Terminate : SystemMessage;
