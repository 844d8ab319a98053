namespace PdCluster.Actors.Kernel;

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
