namespace PdCluster.Actors.Framework;

/// <summary>A queue pair's counters.</summary>
public sealed record QueueStats(int Queue, long Received, long Forwarded, long Dropped, long RingDrops, long SteeredIn, long ToOs, IReadOnlyDictionary<string, long> FilterHits);
