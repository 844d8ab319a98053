namespace PdCluster.Cluster;

/// <summary>
/// The control-plane store (etcd's model): a revisioned key-value map where every write gets the next store revision,
/// watches that deliver every change under a prefix in revision order from a given revision, and leases whose keys
/// vanish when the lease is not kept alive. InMemoryStore serves one host; EtcdStore a real cluster.
/// </summary>
public interface IClusterStore : IAsyncDisposable
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, optionally on a lease; returns the new revision.</summary>
    Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default);

    /// <summary>Reads one key (or nothing).</summary>
    Task<RangeResult> GetAsync(string key, CancellationToken cancel = default);

    /// <summary>Reads every key under <paramref name="prefix"/>, in key order, at one revision.</summary>
    Task<RangeResult> RangeAsync(string prefix, CancellationToken cancel = default);

    /// <summary>
    /// Counts the keys under <paramref name="prefix"/> and finds the newest mod revision among them, without reading
    /// values: a cheap look at whether a watch of the prefix has missed a change.
    /// </summary>
    Task<PrefixSummary> SummarizeAsync(string prefix, CancellationToken cancel = default);

    /// <summary>Deletes one key; returns the new revision, or the current one if the key did not exist.</summary>
    Task<long> DeleteAsync(string key, CancellationToken cancel = default);

    /// <summary>
    /// Applies <paramref name="then"/> if every comparison in <paramref name="when"/> holds, else <paramref name="otherwise"/>,
    /// atomically and as one revision (a transaction that changes nothing leaves the revision as it was).
    /// </summary>
    Task<TxnResult> TxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, IReadOnlyList<TxnOp>? otherwise = null, CancellationToken cancel = default);

    /// <summary>Discards the history before <paramref name="revision"/>: a watch from an earlier revision then throws <see cref="CompactedException"/>.</summary>
    Task CompactAsync(long revision, CancellationToken cancel = default);

    /// <summary>Grants a lease of <paramref name="ttl"/>; returns its id.</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancel = default);

    /// <summary>Renews a lease for another TTL; throws <see cref="LeaseNotFoundException"/> once it has expired.</summary>
    Task KeepAliveAsync(long lease, CancellationToken cancel = default);

    /// <summary>Ends a lease now, deleting every key on it.</summary>
    Task RevokeAsync(long lease, CancellationToken cancel = default);

    /// <summary>
    /// Every change under <paramref name="prefix"/> from <paramref name="fromRevision"/> on, in order, without gaps, until
    /// cancelled. Throws <see cref="CompactedException"/> when history before that revision is gone (re-read, then watch).
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancel = default);
}
