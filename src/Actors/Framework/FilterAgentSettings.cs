using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>What a node's <see cref="FilterAgent"/> reads, and where it publishes.</summary>
/// <param name="Adapters">The node supervisor: <see cref="ToAdapter"/> reaches each adapter supervisor through it.</param>
/// <param name="Targets">The node's adapters.</param>
/// <param name="LocalFilters">The node's own filter file: in force on every adapter, ahead of the cluster's filters.</param>
public sealed record FilterAgentSettings(IClusterStore Store, string Cluster, string Node, IActorRef Adapters, IReadOnlyList<FilterTarget> Targets, IReadOnlyList<FilterSpec> LocalFilters)
{
    /// <summary>The prefix the cluster's filters live under: <c>/pd/&lt;cluster&gt;/filters/</c>.</summary>
    public string Prefix => $"/pd/{Cluster}/filters/";

    /// <summary>How long one adapter may take to put a set in force.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a quiet watch is checked against the store (a count and newest mod revision of the prefix, no values):
    /// a watch found behind on two checks in a row, with nothing delivered between, is given up for a full re-read.
    /// </summary>
    public TimeSpan WatchCheck { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait after a store call failed, or before an adapter that kept its last good set is given the newest set again; it doubles on each failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between attempts while the store is down (or an adapter keeps its last good set).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After a publish that revisions queued up behind (a bulk write under way), how long the watch must stay quiet
    /// before the backlog is published (or as long as the last publish took, if longer); a lone change, with nothing
    /// queued, is published at once.
    /// </summary>
    public TimeSpan SettleQuiet { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest a backlog waits for the watch to go quiet (or 4 times the last publish, if longer): a steady stream is still published this often.</summary>
    public TimeSpan SettleMax { get; init; } = TimeSpan.FromMilliseconds(250);
}
