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
