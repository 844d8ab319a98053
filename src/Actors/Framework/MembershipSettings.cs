using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>Where and how a node registers itself.</summary>
/// <param name="Ttl">Lease TTL (etcd's minimum and the default is 2 s); keepalives go every TTL/3.</param>
public sealed record MembershipSettings(IClusterStore Store, string Cluster, string Node, string Admin, TimeSpan Ttl)
{
    /// <summary>The key prefix of the cluster: <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Prefix => $"/pd/{Cluster}/";

    /// <summary>The cluster items the node declares: their ids go in its member record, and those it cannot serve now in its status.</summary>
    public IReadOnlyList<ClusterItem> Items { get; init; } = [];

    /// <summary>Each teamed adapter's team name: an item on a team member is served while one member of the team can serve.</summary>
    public IReadOnlyDictionary<string, string> Teams { get; init; } = new Dictionary<string, string>();
}
