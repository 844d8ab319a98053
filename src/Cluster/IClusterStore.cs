namespace PdCluster.Cluster;

/// <summary>One key's value and its revisions, as etcd reports them.</summary>
/// <param name="CreateRevision">Store revision of the write that created the key.</param>
/// <param name="ModRevision">Store revision of the last write to the key.</param>
/// <param name="Version">Writes to the key since it was created (1 for a new key).</param>
/// <param name="Lease">The lease the key lives on, or 0.</param>
public sealed record KeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version, long Lease);

/// <summary>A read: the keys found and the store revision they were read at.</summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Items, long Revision);

/// <summary>Whether a watched key was written or deleted.</summary>
public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>One change seen by a watch, in revision order. A delete carries the key's last value.</summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Item, long Revision);

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

    /// <summary>Deletes one key; returns the new revision, or the current one if the key did not exist.</summary>
    Task<long> DeleteAsync(string key, CancellationToken cancel = default);

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

/// <summary>The lease expired or never existed.</summary>
public sealed class LeaseNotFoundException(long lease) : InvalidOperationException($"Lease {lease:x} is not found (expired or revoked).")
{
    /// <summary>The lease asked for.</summary>
    public long Lease { get; } = lease;
}

/// <summary>A watch asked for history the store no longer keeps.</summary>
public sealed class CompactedException(long compactRevision) : InvalidOperationException($"Revisions before {compactRevision} are compacted.")
{
    /// <summary>The oldest revision still watchable.</summary>
    public long CompactRevision { get; } = compactRevision;
}
