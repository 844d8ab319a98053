using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>A store decorator that passes every call to <paramref name="inner"/>; a test's decorator overrides the calls it changes.</summary>
internal abstract class ForwardingStore(IClusterStore inner) : IClusterStore
{
    /// <summary>The store every call goes to.</summary>
    protected IClusterStore Inner => inner;

    public virtual Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default) => inner.PutAsync(key, value, lease, cancel);

    public Task<RangeResult> GetAsync(string key, CancellationToken cancel = default) => inner.GetAsync(key, cancel);

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancel = default) => inner.RangeAsync(prefix, cancel);

    public Task<PrefixSummary> SummarizeAsync(string prefix, CancellationToken cancel = default) => inner.SummarizeAsync(prefix, cancel);

    public Task<long> DeleteAsync(string key, CancellationToken cancel = default) => inner.DeleteAsync(key, cancel);

    public Task<TxnResult> TxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, IReadOnlyList<TxnOp>? otherwise = null, CancellationToken cancel = default) =>
        inner.TxnAsync(when, then, otherwise, cancel);

    public Task CompactAsync(long revision, CancellationToken cancel = default) => inner.CompactAsync(revision, cancel);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancel = default) => inner.GrantLeaseAsync(ttl, cancel);

    public virtual Task KeepAliveAsync(long lease, CancellationToken cancel = default) => inner.KeepAliveAsync(lease, cancel);

    public Task RevokeAsync(long lease, CancellationToken cancel = default) => inner.RevokeAsync(lease, cancel);

    public virtual IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancel = default) => inner.WatchAsync(prefix, fromRevision, cancel);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
