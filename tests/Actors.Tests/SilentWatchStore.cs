using System.Runtime.CompilerServices;
using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A real store whose watches can fall silent, as one behind etcd's JSON gateway does when a response is too big for
/// it: after <see cref="Silence"/>, every watch open at that moment stays open and delivers nothing more, while every
/// other call, and every watch started afterwards, goes through to <paramref name="inner"/> as before.
/// </summary>
internal sealed class SilentWatchStore(IClusterStore inner) : IClusterStore
{
    private int _epoch;

    /// <summary>How many events the silenced watches swallowed.</summary>
    public int Swallowed => Volatile.Read(ref _swallowed);

    private int _swallowed;

    /// <summary>The watches open now deliver nothing more.</summary>
    public void Silence() => Interlocked.Increment(ref _epoch);

    public Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default) => inner.PutAsync(key, value, lease, cancel);

    public Task<RangeResult> GetAsync(string key, CancellationToken cancel = default) => inner.GetAsync(key, cancel);

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancel = default) => inner.RangeAsync(prefix, cancel);

    public Task<PrefixSummary> SummarizeAsync(string prefix, CancellationToken cancel = default) => inner.SummarizeAsync(prefix, cancel);

    public Task<long> DeleteAsync(string key, CancellationToken cancel = default) => inner.DeleteAsync(key, cancel);

    public Task<TxnResult> TxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, IReadOnlyList<TxnOp>? otherwise = null, CancellationToken cancel = default) =>
        inner.TxnAsync(when, then, otherwise, cancel);

    public Task CompactAsync(long revision, CancellationToken cancel = default) => inner.CompactAsync(revision, cancel);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancel = default) => inner.GrantLeaseAsync(ttl, cancel);

    public Task KeepAliveAsync(long lease, CancellationToken cancel = default) => inner.KeepAliveAsync(lease, cancel);

    public Task RevokeAsync(long lease, CancellationToken cancel = default) => inner.RevokeAsync(lease, cancel);

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        var epoch = Volatile.Read(ref _epoch);
        await foreach (var e in inner.WatchAsync(prefix, fromRevision, cancel))
        {
            if (Volatile.Read(ref _epoch) == epoch)
                yield return e;
            else
                Interlocked.Increment(ref _swallowed);
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
