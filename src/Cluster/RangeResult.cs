namespace PdCluster.Cluster;

/// <summary>A read: the keys found and the store revision they were read at.</summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Items, long Revision);
