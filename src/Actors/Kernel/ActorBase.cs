namespace PdCluster.Actors.Kernel;

/// <summary>
/// An actor: state plus behaviour, handling one message at a time. Override <see cref="OnReceive"/> (or use
/// <see cref="ReceiveActor"/>), and the lifecycle hooks, whose defaults are Akka's.
/// </summary>
public abstract class ActorBase
{
    [ThreadStatic]
    private static ActorCell? s_constructing;

    private readonly ActorCell _cell;

    /// <summary>Binds the instance to the cell creating it; actors are made only through <see cref="Props"/>.</summary>
    protected ActorBase()
    {
        _cell = s_constructing ?? throw new InvalidOperationException("Actors are created with ActorOf(Props), not with new.");
    }

    /// <summary>This actor's view of itself and the system.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor's reference.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the message being handled.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>How this actor supervises its children.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy => SupervisorStrategy.Default;

    /// <summary>Handles one message; call <see cref="Unhandled"/> for one it does not understand.</summary>
    protected abstract void OnReceive(object message);

    /// <summary>Called before the first message.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Called after the actor stopped for good.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>Called on the failed instance before a restart; by default stops every child and calls <see cref="PostStop"/>.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
            Context.Stop(child);
        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart; by default calls <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Says a message was not handled: a <see cref="Terminated"/> becomes a <see cref="DeathPactException"/>, anything else a dead letter.</summary>
    protected void Unhandled(object message)
    {
        if (message is Terminated t)
            throw new DeathPactException(t.ActorRef);
        _cell.System.DeadLetters.Tell(new DeadLetter(message, Sender, Self));
    }

    internal SupervisorStrategy Strategy => SupervisorStrategy;

    internal void Receive(object message) => OnReceive(message);

    internal void RunPreStart() => PreStart();

    internal void RunPostStop() => PostStop();

    internal void RunPreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void RunPostRestart(Exception reason) => PostRestart(reason);

    internal static ActorBase Construct(ActorCell cell, Func<ActorBase> factory)
    {
        var previous = s_constructing;
        s_constructing = cell;
        try
        {
            return factory();
        }
        finally
        {
            s_constructing = previous;
        }
    }
}
