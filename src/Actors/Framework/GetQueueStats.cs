namespace PdCluster.Actors.Framework;

/// <summary>Asks a queue actor for its <see cref="QueueStats"/>.</summary>
public sealed record GetQueueStats
{
    /// <summary>The one instance.</summary>
    public static readonly GetQueueStats Instance = new();
}
