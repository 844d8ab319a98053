namespace PdCluster.Actors.Kernel;

/// <summary>The actor failed while being created (its constructor, PreStart, or PostRestart after a restart threw).</summary>
public sealed class ActorInitializationException(IActorRef actor, string message, Exception cause) : Exception(message, cause)
{
    /// <summary>The actor that failed.</summary>
    public IActorRef Actor { get; } = actor;
}
