namespace PdCluster.Actors.Kernel;

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
