namespace PdCluster.Actors.Kernel;

/// <summary>The address of an actor: the only way to talk to it.</summary>
public interface IActorRef
{
    /// <summary>Where the actor sits in the hierarchy, e.g. <c>/user/node/pd0</c>.</summary>
    string Path { get; }

    /// <summary>
    /// Sends <paramref name="message"/> without waiting; <paramref name="sender"/> is who a reply goes to. Without
    /// one, a message sent from inside an actor carries that actor as its sender (Akka's implicit sender).
    /// </summary>
    void Tell(object message, IActorRef? sender = null);
}

/// <summary>The sender of messages sent from outside any actor; replies to it go to dead letters.</summary>
public sealed class Nobody : IActorRef
{
    /// <summary>The one instance.</summary>
    public static readonly Nobody Instance = new();

    private Nobody()
    {
    }

    /// <inheritdoc/>
    public string Path => "/nobody";

    /// <inheritdoc/>
    public void Tell(object message, IActorRef? sender = null)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => Path;
}

/// <summary>A reference to an actor in this process.</summary>
internal sealed class LocalActorRef(ActorCell cell) : IActorRef
{
    public ActorCell Cell { get; } = cell;

    public string Path => Cell.Path;

    public void Tell(object message, IActorRef? sender = null) => Cell.Mailbox.Post(new Envelope(message, sender ?? ActorCell.CurrentSelf ?? Nobody.Instance));

    public void SendSystem(SystemMessage message) => Cell.Mailbox.PostSystem(message);

    public override string ToString() => Path;
}

/// <summary>Where undeliverable messages go: each becomes a <see cref="DeadLetter"/> on the event stream.</summary>
internal sealed class DeadLetterRef(EventStream stream) : IActorRef
{
    public string Path => "/deadLetters";

    public void Tell(object message, IActorRef? sender = null)
    {
        if (message is DeadLetter letter)
            stream.Publish(letter);
        else
            stream.Publish(new DeadLetter(message, sender ?? Nobody.Instance, this));
    }

    public override string ToString() => Path;
}
