using System.Diagnostics;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// Follows every node's <c>status/&lt;node&gt;</c> through one etcd watch (no polling) and tells when all of them
/// first showed an applied filter revision at or past a given one, stamped (<see cref="Stopwatch"/> ticks) as each
/// event arrived. It also keeps, per node, when each applied revision was first seen, so a bulk push can be taken apart.
/// </summary>
internal sealed class StatusWatch : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _applied;
    private readonly List<(long Revision, long At)> _allApplied = [];
    private readonly List<(long Revision, TaskCompletionSource<long> Done)> _waiting = [];
    private readonly List<(string Node, long Revision, long At)> _timeline = [];
    private readonly WatchLoop _pump;
    private Exception? _failed;

    private StatusWatch(IClusterStore store, string prefix, IReadOnlyDictionary<string, long> applied, long from)
    {
        _applied = new Dictionary<string, long>(applied);
        _pump = new WatchLoop(stop => PumpAsync(store, prefix, from, stop));
    }

    /// <summary>Reads the statuses of <paramref name="nodes"/> under <paramref name="prefix"/> and watches them from the next revision.</summary>
    public static async Task<StatusWatch> StartAsync(IClusterStore store, string prefix, IEnumerable<string> nodes)
    {
        var range = await store.RangeAsync(prefix);
        var applied = nodes.ToDictionary(n => n, _ => 0L);
        foreach (var item in range.Items)
        {
            var status = JsonSerializer.Deserialize(item.Value, MembershipJson.Default.MemberStatus)!;
            if (applied.ContainsKey(status.Node))
                applied[status.Node] = status.Filters?.AppliedRevision ?? 0;
        }
        return new StatusWatch(store, prefix, applied, range.Revision + 1);
    }

    /// <summary>When every node first showed <paramref name="revision"/> or later applied (Stopwatch ticks); fails after <paramref name="timeout"/>.</summary>
    public async Task<long> AllAppliedAsync(long revision, TimeSpan timeout)
    {
        Task<long> done;
        lock (_gate)
        {
            if (_failed is not null)
                throw new InvalidOperationException($"the watch on the nodes' statuses failed: {_failed.Message}", _failed);
            foreach (var (reached, at) in _allApplied)
                if (reached >= revision)
                    return at;
            var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((revision, waiter));
            done = waiter.Task;
        }
        try
        {
            return await done.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            string lagging;
            lock (_gate)
                lagging = string.Join(", ", _applied.Where(a => a.Value < revision).Select(a => $"{a.Key} at {a.Value}"));
            throw new TimeoutException($"not every node applied revision {revision} within {timeout.TotalSeconds:0} s: {lagging}");
        }
    }

    /// <summary>Each node's applied revisions as first seen from <paramref name="since"/> (Stopwatch ticks) on.</summary>
    public IReadOnlyList<(string Node, long Revision, long At)> Timeline(long since)
    {
        lock (_gate)
            return [.. _timeline.Where(t => t.At >= since)];
    }

    public ValueTask DisposeAsync() => _pump.DisposeAsync();

    private async Task PumpAsync(IClusterStore store, string prefix, long from, CancellationToken stop)
    {
        try
        {
            await foreach (var e in store.WatchAsync(prefix, from, stop))
            {
                var at = Stopwatch.GetTimestamp();
                if (e.Type != WatchEventType.Put)
                    continue;
                var status = JsonSerializer.Deserialize(e.Item.Value, MembershipJson.Default.MemberStatus)!;
                if (status.Filters?.AppliedRevision is not { } revision)
                    continue;
                Seen(status.Node, revision, at);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (_gate)
            {
                _failed = e;
                foreach (var (_, done) in _waiting)
                    done.TrySetException(e);
            }
        }
    }

    private void Seen(string node, long revision, long at)
    {
        lock (_gate)
        {
            if (!_applied.TryGetValue(node, out var before) || revision <= before)
                return;
            _applied[node] = revision;
            _timeline.Add((node, revision, at));
            var all = _applied.Values.Min();
            if (_allApplied.Count > 0 && all <= _allApplied[^1].Revision)
                return;
            _allApplied.Add((all, at));
            _waiting.RemoveAll(w =>
            {
                if (w.Revision > all)
                    return false;
                w.Done.TrySetResult(at);
                return true;
            });
        }
    }
}
