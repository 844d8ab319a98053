namespace PdCluster.Actors.Kernel;

/// <summary>Stops the actor that receives it, after the messages queued before it.</summary>
public sealed class PoisonPill
{
    /// <summary>The one instance.</summary>
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }
}

/// <summary>Makes the actor that receives it fail with <see cref="ActorKilledException"/>; its supervisor decides what follows (by default: stop).</summary>
public sealed class Kill
{
    /// <summary>The one instance.</summary>
    public static readonly Kill Instance = new();

    private Kill()
    {
    }
}

/// <summary>Tells a watcher that an actor it watches has stopped.</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>A message that could not be delivered, published on the event stream.</summary>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient);

/// <summary>An actor failed; published on the event stream by its supervisor, whatever the directive.</summary>
public sealed record ActorFailed(IActorRef Actor, Exception Cause, Directive Directive);

/// <summary>
/// An error no supervisor acts on, published on the event stream for operators: a hook that threw where nothing can
/// supervise it (PreRestart, PostStop), a failure while stopping or in the root guardian, a failing coordinated-shutdown
/// task, or something a framework actor gave up on (an adapter left stopped, a queue that could not be freed).
/// </summary>
/// <param name="Actor">The actor that reports it (<see cref="Nobody"/> for coordinated shutdown).</param>
/// <param name="Cause">The exception behind the error.</param>
public sealed record ActorError(IActorRef Actor, string Message, Exception Cause);

/// <summary>The actor failed while being created (its constructor, PreStart, or PostRestart after a restart threw).</summary>
public sealed class ActorInitializationException(IActorRef actor, string message, Exception cause) : Exception(message, cause)
{
    /// <summary>The actor that failed.</summary>
    public IActorRef Actor { get; } = actor;
}

/// <summary>The failure a <see cref="Kill"/> causes.</summary>
public sealed class ActorKilledException(string message) : Exception(message);

/// <summary>An actor received <see cref="Terminated"/> for a watched actor and did not handle it.</summary>
public sealed class DeathPactException(IActorRef dead) : Exception($"Watched actor {dead.Path} terminated and the watcher did not handle Terminated.")
{
    /// <summary>The actor that terminated.</summary>
    public IActorRef Dead { get; } = dead;
}

/// <summary>An Ask got no reply in time.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>An Ask got a reply of a type other than the one asked for.</summary>
public sealed class AskTypeMismatchException(string message) : InvalidCastException(message);

/// <summary>A reply that carries a failure back to an asker: Ask completes with its exception.</summary>
public sealed record StatusFailure(Exception Cause);
