using PdCluster.Actors.Framework;
using PdCluster.Cluster;

namespace PdCluster.Node.ClusterAccess;

/// <summary>
/// The cluster's store as the <c>pd filter</c>, <c>pd node</c> and <c>pd cluster</c> commands see it: its filters,
/// members and statuses. <see cref="StoreCatalog"/> reads an <see cref="Cluster.IClusterStore"/> directly (what a node's
/// admin endpoint serves); <see cref="AdminCatalog"/> goes through that endpoint, for a store that lives inside the node.
/// Failing to reach the store is <see cref="ClusterUnavailableException"/>; a request the store side refuses is
/// <see cref="ClusterRefusedException"/>.
/// </summary>
internal interface IClusterCatalog
{
    /// <summary>What names the store in messages (an endpoint URL, say).</summary>
    string Name { get; }

    /// <summary>Every stored filter, in id order.</summary>
    Task<IReadOnlyList<StoredFilter>> FiltersAsync(CancellationToken cancel);

    /// <summary>One filter, or null when there is none with <paramref name="id"/>.</summary>
    Task<StoredFilter?> FilterAsync(string id, CancellationToken cancel);

    /// <summary>Writes <paramref name="filter"/> under its id; returns the revision of the committed write.</summary>
    Task<long> PutFilterAsync(ClusterFilter filter, CancellationToken cancel);

    /// <summary>
    /// Writes every filter of <paramref name="filters"/> (distinct ids) through <see cref="BulkPut"/>, <paramref name="inFlight"/>
    /// transactions at once. A transaction that fails stops the rest: <see cref="ClusterUnavailableException"/> says how many were written.
    /// </summary>
    Task<BulkPutResult> PutFiltersAsync(IReadOnlyList<ClusterFilter> filters, int inFlight, CancellationToken cancel);

    /// <summary>Deletes the filter; returns the revision of the delete, or null when there was no such filter.</summary>
    Task<long?> DeleteFilterAsync(string id, CancellationToken cancel);

    /// <summary>The members, their statuses and the filters, for <c>pd node ls</c> and <c>pd cluster status</c>.</summary>
    Task<ClusterView> ViewAsync(CancellationToken cancel);
}
