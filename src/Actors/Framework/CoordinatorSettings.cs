using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>Where a node's <see cref="Coordinator"/> campaigns and decides.</summary>
public sealed record CoordinatorSettings(IClusterStore Store, string Cluster, string Node)
{
    /// <summary>The key prefix of the cluster: <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Prefix => $"/pd/{Cluster}/";

    /// <summary>The node's election key: <c>election/&lt;node&gt;</c>, on its member lease.</summary>
    public string ElectionKey => $"{Prefix}election/{Node}";

    /// <summary>The node's member key.</summary>
    public string MemberKey => $"{Prefix}members/{Node}";

    /// <summary>What the coordinator watches: <c>election/</c>, <c>members/</c>, <c>owners/</c> and <c>status/</c>, and nothing else of the cluster's keys.</summary>
    public IReadOnlyList<string> WatchedPrefixes => [$"{Prefix}election/", $"{Prefix}members/", $"{Prefix}owners/", $"{Prefix}status/"];

    /// <summary>How long to wait before reading again after a store call or the watch failed.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);
}
