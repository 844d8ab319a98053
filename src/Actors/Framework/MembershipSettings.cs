using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>Where and how a node registers itself.</summary>
/// <param name="Ttl">Lease TTL (etcd's minimum and the default is 2 s); keepalives go every TTL/3.</param>
public sealed record MembershipSettings(IClusterStore Store, string Cluster, string Node, string Admin, TimeSpan Ttl)
{
    /// <summary>The key prefix of the cluster: <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Prefix => $"/pd/{Cluster}/";

    /// <summary>The ids of the cluster items the node can serve, listed in its member record for the coordinator.</summary>
    public IReadOnlyList<string> Items { get; init; } = [];
}
