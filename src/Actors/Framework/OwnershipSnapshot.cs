using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>What the coordinator reads before it decides: the keys under <c>members/</c>, <c>status/</c> and <c>owners/</c>.</summary>
public sealed record OwnershipSnapshot(IReadOnlyList<KeyValue> Members, IReadOnlyList<KeyValue> Statuses, IReadOnlyList<KeyValue> Owners);
