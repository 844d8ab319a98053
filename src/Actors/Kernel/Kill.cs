namespace PdCluster.Actors.Kernel;

/// <summary>Makes the actor that receives it fail with <see cref="ActorKilledException"/>; its supervisor decides what follows (by default: stop).</summary>
public sealed class Kill
{
    /// <summary>The one instance.</summary>
    public static readonly Kill Instance = new();

    private Kill()
    {
    }
}
