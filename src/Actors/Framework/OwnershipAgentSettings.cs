using PdCluster.Cluster;
using PdCluster.Provider;

namespace PdCluster.Actors.Framework;

/// <summary>What a node's <see cref="OwnershipAgent"/> serves and where it announces.</summary>
/// <param name="Items">The items the node declares (its config's <c>items</c>).</param>
/// <param name="Announcers">Per adapter name, how a VIP is announced on it; an adapter without one announces nothing.</param>
public sealed record OwnershipAgentSettings(IClusterStore Store, string Cluster, string Node, IReadOnlyList<ClusterItem> Items, IReadOnlyDictionary<string, IAddressAnnouncer> Announcers)
{
    /// <summary>The key prefix of the cluster: <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Prefix => $"/pd/{Cluster}/";

    /// <summary>The prefix of the owner keys.</summary>
    public string OwnersPrefix => $"{Prefix}owners/";

    /// <summary>How long to wait before reading again after a store call or the watch failed.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A VIP is announced when the node takes it and again after each of these delays (a lost frame is not the last word).</summary>
    public IReadOnlyList<TimeSpan> Reannounce { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];
}
