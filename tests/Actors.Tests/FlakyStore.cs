using System.Runtime.CompilerServices;
using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A real <see cref="InMemoryStore"/> seen through a connection that can be cut: while <see cref="GoDown"/> holds,
/// every call fails with an <see cref="IOException"/> and open watches end with one, as a client sees an unreachable
/// etcd. Other clients keep writing to <see cref="Inner"/>.
/// </summary>
internal sealed class FlakyStore(InMemoryStore inner) : IClusterStore
{
    private volatile bool _down;
    private CancellationTokenSource _cut = new();

    public InMemoryStore Inner => inner;

    public void GoDown()
    {
        _down = true;
        _cut.Cancel();
    }

    public void ComeBack()
    {
        _cut = new CancellationTokenSource();
        _down = false;
    }

    private void Check()
    {
        if (_down)
            throw new IOException("the store is unreachable.");
    }

    private T Guard<T>(Func<T> call)
    {
        Check();
        return call();
    }

    public Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default) =>
        Guard(() => inner.PutAsync(key, value, lease, cancel));

    public Task<RangeResult> GetAsync(string key, CancellationToken cancel = default) =>
        Guard(() => inner.GetAsync(key, cancel));

    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancel = default) =>
        Guard(() => inner.RangeAsync(prefix, cancel));

    public Task<PrefixSummary> SummarizeAsync(string prefix, CancellationToken cancel = default) =>
        Guard(() => inner.SummarizeAsync(prefix, cancel));

    public Task<long> DeleteAsync(string key, CancellationToken cancel = default) =>
        Guard(() => inner.DeleteAsync(key, cancel));

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancel = default) =>
        Guard(() => inner.GrantLeaseAsync(ttl, cancel));

    public Task KeepAliveAsync(long lease, CancellationToken cancel = default) =>
        Guard(() => inner.KeepAliveAsync(lease, cancel));

    public Task RevokeAsync(long lease, CancellationToken cancel = default) =>
        Guard(() => inner.RevokeAsync(lease, cancel));

    public Task<TxnResult> TxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, IReadOnlyList<TxnOp>? otherwise = null, CancellationToken cancel = default) =>
        Guard(() => inner.TxnAsync(when, then, otherwise, cancel));

    public Task CompactAsync(long revision, CancellationToken cancel = default) =>
        Guard(() => inner.CompactAsync(revision, cancel));

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        Check();
        var cut = _cut.Token;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, cut);
        await using var events = inner.WatchAsync(prefix, fromRevision, linked.Token).GetAsyncEnumerator(linked.Token);
        while (true)
        {
            try
            {
                if (!await events.MoveNextAsync())
                    yield break;
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancel.IsCancellationRequested)
            {
                throw new IOException("the store is unreachable (the watch was cut).");
            }
            yield return events.Current;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
