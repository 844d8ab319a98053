using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace PdCluster.Cluster;

/// <summary>
/// <see cref="IClusterStore"/> in one process, with etcd's semantics: linear revisions, ordered gap-free watches from
/// any revision still in history (the last <c>historyLimit</c> changes), leases that expire when not kept alive, and
/// etcd's limit on a transaction's operations (<see cref="MaxTxnOps"/>). The embedded default for a single host and for fast tests.
/// </summary>
public sealed class InMemoryStore : IClusterStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, KeyValue> _data = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly Dictionary<long, Lease> _leases = [];
    private readonly TimeProvider _time;
    private readonly ITimer _expiry;
    private readonly int _historyLimit;
    private long _revision = 1;
    private long _compacted = 1;
    private long _nextLease = 0x1000;

    /// <summary>Creates an empty store at revision 1; leases are checked every <paramref name="tick"/>.</summary>
    public InMemoryStore(TimeProvider? time = null, int historyLimit = 100_000, TimeSpan? tick = null)
    {
        _time = time ?? TimeProvider.System;
        _historyLimit = historyLimit;
        var period = tick ?? TimeSpan.FromMilliseconds(100);
        _expiry = _time.CreateTimer(_ => ExpireLeases(), null, period, period);
    }

    /// <summary>The most compares, or operations of either branch, one transaction may hold: etcd's <c>--max-txn-ops</c> (128 unless raised).</summary>
    public int MaxTxnOps { get; init; } = BulkPut.MaxTxnOps;

    /// <summary>The current store revision.</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
                return _revision;
        }
    }

    /// <inheritdoc/>
    public Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_lock)
        {
            RequireLease(lease);
            PutLocked(key, value, lease, ++_revision);
            return Task.FromResult(_revision);
        }
    }

    /// <inheritdoc/>
    public Task<RangeResult> GetAsync(string key, CancellationToken cancel = default)
    {
        lock (_lock)
            return Task.FromResult(new RangeResult(_data.TryGetValue(key, out var item) ? [item] : [], _revision));
    }

    /// <inheritdoc/>
    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancel = default)
    {
        lock (_lock)
            return Task.FromResult(new RangeResult([.. _data.Values.Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal))], _revision));
    }

    /// <inheritdoc/>
    public Task<PrefixSummary> SummarizeAsync(string prefix, CancellationToken cancel = default)
    {
        lock (_lock)
        {
            var items = _data.Values.Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return Task.FromResult(new PrefixSummary(items.Count, items.Select(i => i.ModRevision).DefaultIfEmpty(0).Max(), _revision));
        }
    }

    /// <inheritdoc/>
    public Task<long> DeleteAsync(string key, CancellationToken cancel = default)
    {
        lock (_lock)
        {
            if (DeleteLocked(key, _revision + 1))
                _revision++;
            return Task.FromResult(_revision);
        }
    }

    /// <inheritdoc/>
    public Task<TxnResult> TxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, IReadOnlyList<TxnOp>? otherwise = null, CancellationToken cancel = default)
    {
        if (when.Count > MaxTxnOps || then.Count > MaxTxnOps || otherwise?.Count > MaxTxnOps)
            throw new TooManyTxnOpsException($"too many operations in txn request (more than {MaxTxnOps})");
        lock (_lock)
        {
            var succeeded = when.All(Holds);
            var ops = succeeded ? then : otherwise ?? [];
            foreach (var put in ops.OfType<TxnOp.Put>())
                RequireLease(put.Lease);
            var revision = _revision + 1;
            var changed = false;
            foreach (var op in ops)
            {
                switch (op)
                {
                    case TxnOp.Put put:
                        PutLocked(put.Key, put.Value, put.Lease, revision);
                        changed = true;
                        break;
                    case TxnOp.Delete delete:
                        changed |= DeleteLocked(delete.Key, revision);
                        break;
                }
            }
            if (changed)
                _revision = revision;
            return Task.FromResult(new TxnResult(succeeded, _revision));
        }
    }

    /// <inheritdoc/>
    public Task CompactAsync(long revision, CancellationToken cancel = default)
    {
        lock (_lock)
        {
            if (revision > _revision)
                throw new ArgumentOutOfRangeException(nameof(revision), $"Revision {revision} is in the future (the store is at {_revision}).");
            if (revision > _compacted)
            {
                _history.RemoveAll(e => e.Revision < revision);
                _compacted = revision;
            }
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancel = default)
    {
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), "A lease needs a positive TTL.");
        lock (_lock)
        {
            var id = ++_nextLease;
            _leases[id] = new Lease(ttl, _time.GetUtcNow() + ttl);
            return Task.FromResult(id);
        }
    }

    /// <inheritdoc/>
    public Task KeepAliveAsync(long lease, CancellationToken cancel = default)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue(lease, out var l) || l.Deadline <= _time.GetUtcNow())
                throw new LeaseNotFoundException(lease);
            l.Deadline = _time.GetUtcNow() + l.Ttl;
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task RevokeAsync(long lease, CancellationToken cancel = default)
    {
        lock (_lock)
        {
            if (!_leases.ContainsKey(lease))
                throw new LeaseNotFoundException(lease);
            EndLease(lease);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        var watcher = new Watcher(prefix, Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true }));
        lock (_lock)
        {
            if (fromRevision < _compacted)
                throw new CompactedException(_compacted);
            foreach (var e in _history)
            {
                if (e.Revision >= fromRevision && watcher.Matches(e))
                    watcher.Events.Writer.TryWrite(e);
            }
            _watchers.Add(watcher);
        }
        try
        {
            await foreach (var e in watcher.Events.Reader.ReadAllAsync(cancel))
                yield return e;
        }
        finally
        {
            lock (_lock)
                _watchers.Remove(watcher);
        }
    }

    /// <summary>Stops the lease timer and ends every watch.</summary>
    public ValueTask DisposeAsync()
    {
        _expiry.Dispose();
        lock (_lock)
        {
            foreach (var w in _watchers)
                w.Events.Writer.TryComplete();
            _watchers.Clear();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Expires leases whose deadline passed (also run by the timer).</summary>
    internal void ExpireLeases()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (id, lease) in _leases.ToArray())
            {
                if (lease.Deadline <= now)
                    EndLease(id);
            }
        }
    }

    private bool Holds(Compare compare)
    {
        _data.TryGetValue(compare.Key, out var item);
        var actual = compare.Target == CompareTarget.ModRevision ? item?.ModRevision : item?.CreateRevision;
        return (actual ?? 0) == compare.Revision;
    }

    private void RequireLease(long lease)
    {
        if (lease != 0 && !_leases.ContainsKey(lease))
            throw new LeaseNotFoundException(lease);
    }

    private void EndLease(long id)
    {
        var keys = _leases[id].Keys;
        if (keys.Count > 0)
        {
            var revision = ++_revision;
            foreach (var key in keys.ToArray())
                DeleteLocked(key, revision);
        }
        _leases.Remove(id);
    }

    private void PutLocked(string key, string value, long lease, long revision)
    {
        _data.TryGetValue(key, out var old);
        if (old is not null && old.Lease != 0 && old.Lease != lease && _leases.TryGetValue(old.Lease, out var previous))
            previous.Keys.Remove(key);
        var item = new KeyValue(key, value, old?.CreateRevision ?? revision, revision, (old?.Version ?? 0) + 1, lease);
        _data[key] = item;
        if (lease != 0)
            _leases[lease].Keys.Add(key);
        Record(new WatchEvent(WatchEventType.Put, item, revision));
    }

    private bool DeleteLocked(string key, long revision)
    {
        if (!_data.Remove(key, out var old))
            return false;
        if (old.Lease != 0 && _leases.TryGetValue(old.Lease, out var lease))
            lease.Keys.Remove(key);
        Record(new WatchEvent(WatchEventType.Delete, new KeyValue(key, "", 0, revision, 0, 0), revision));
        return true;
    }

    private void Record(WatchEvent e)
    {
        _history.Add(e);
        if (_history.Count > _historyLimit)
        {
            var drop = _history.Count - _historyLimit;
            _compacted = _history[drop].Revision;
            _history.RemoveRange(0, drop);
        }
        foreach (var w in _watchers)
        {
            if (w.Matches(e))
                w.Events.Writer.TryWrite(e);
        }
    }

    private sealed record Watcher(string Prefix, Channel<WatchEvent> Events)
    {
        public bool Matches(WatchEvent e) => e.Item.Key.StartsWith(Prefix, StringComparison.Ordinal);
    }

    private sealed class Lease(TimeSpan ttl, DateTimeOffset deadline)
    {
        public TimeSpan Ttl { get; } = ttl;
        public DateTimeOffset Deadline { get; set; } = deadline;
        public HashSet<string> Keys { get; } = [];
    }
}
