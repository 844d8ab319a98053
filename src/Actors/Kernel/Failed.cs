namespace PdCluster.Actors.Kernel;

/// <summary>A child failed: its parent decides with its supervisor strategy.</summary>
internal sealed record Failed(LocalActorRef Child, Exception Cause, object? Message) : SystemMessage;
