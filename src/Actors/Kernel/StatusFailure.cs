namespace PdCluster.Actors.Kernel;

/// <summary>A reply that carries a failure back to an asker: Ask completes with its exception.</summary>
public sealed record StatusFailure(Exception Cause);
