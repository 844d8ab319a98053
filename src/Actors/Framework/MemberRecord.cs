namespace PdCluster.Actors.Framework;

/// <summary>What a node writes under <c>members/&lt;node&gt;</c>.</summary>
/// <param name="Items">The ids of the cluster items (VIPs, shards) the node can serve; null or empty: none.</param>
public sealed record MemberRecord(string Node, string Admin, DateTimeOffset Since, IReadOnlyList<string>? Items = null);
