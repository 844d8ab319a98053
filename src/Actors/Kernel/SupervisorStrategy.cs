namespace PdCluster.Actors.Kernel;

/// <summary>
/// How an actor supervises its children: a decider from exception to <see cref="Directive"/>, applied to the failed
/// child alone (<see cref="OneForOneStrategy"/>) or to all children (<see cref="AllForOneStrategy"/>), with a limit on
/// restarts within a time window (exceeding it stops the child).
/// </summary>
public abstract class SupervisorStrategy(int maxRetries, TimeSpan window, Func<Exception, Directive> decider)
{
    /// <summary>Stop on initialization failure, <see cref="Kill"/> or a death pact; restart on anything else.</summary>
    public static Directive DefaultDecider(Exception e) => e switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>OneForOne with <see cref="DefaultDecider"/> and no restart limit: what an actor gets unless it says otherwise.</summary>
    public static SupervisorStrategy Default { get; } = new OneForOneStrategy(-1, TimeSpan.Zero, DefaultDecider);

    /// <summary>Restarts allowed within <see cref="Window"/>; negative means no limit.</summary>
    public int MaxRetries { get; } = maxRetries;

    /// <summary>The window restarts are counted in; zero means for ever.</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>The directive for <paramref name="cause"/>.</summary>
    public Directive Decide(Exception cause) => decider(cause);

    /// <summary>Whether the directive applies to every child rather than the failed one.</summary>
    public abstract bool AppliesToAllChildren { get; }
}
