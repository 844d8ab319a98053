namespace PdCluster.Actors.Kernel;

/// <summary>A reference to an actor in this process.</summary>
internal sealed class LocalActorRef(ActorCell cell) : IActorRef
{
    public ActorCell Cell { get; } = cell;

    public string Path => Cell.Path;

    public void Tell(object message, IActorRef? sender = null) => Cell.Mailbox.Post(new Envelope(message, sender ?? ActorCell.CurrentSelf ?? Nobody.Instance));

    public void SendSystem(SystemMessage message) => Cell.Mailbox.PostSystem(message);

    public override string ToString() => Path;
}
