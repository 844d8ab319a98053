namespace PdCluster.Actors.Kernel;

/// <summary>Restarts the actor: PreRestart on the old instance, a new one, PostRestart.</summary>
internal sealed record Recreate(Exception Cause, object? Message) : SystemMessage;
