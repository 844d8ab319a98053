namespace PdCluster.Actors.Kernel;

/// <summary>Resumes a suspended actor, keeping its state.</summary>
internal sealed record Resume : SystemMessage;
