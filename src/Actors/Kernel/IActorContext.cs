namespace PdCluster.Actors.Kernel;

/// <summary>What an actor sees of itself and the system while it handles a message.</summary>
public interface IActorContext
{
    /// <summary>This actor's reference.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being handled.</summary>
    IActorRef Sender { get; }

    /// <summary>This actor's supervisor.</summary>
    IActorRef Parent { get; }

    /// <summary>The system the actor lives in.</summary>
    ActorSystem System { get; }

    /// <summary>Current children.</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>Creates a child; names are unique among siblings (null picks one).</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops a child, or this actor itself.</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers <see cref="Terminated"/> when <paramref name="actor"/> stops (at once if it already has).</summary>
    IActorRef Watch(IActorRef actor);

    /// <summary>Stops watching; a <see cref="Terminated"/> not yet handled is dropped.</summary>
    IActorRef Unwatch(IActorRef actor);

    /// <summary>This actor's keyed timers.</summary>
    ITimerScheduler Timers { get; }
}
