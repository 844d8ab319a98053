using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Keeps a node's adapters running the cluster's filters (DESIGN.md, "The cluster"): ranges <c>filters/</c> at a
/// revision R and publishes the sets it compiles (<see cref="ScopedFilterSets"/>) to every local adapter, then watches
/// from R+1 and applies the revisions in order, each whole in one publish (those that arrived during a publish go out
/// together in the next). After each one it publishes a
/// <see cref="FilterAgentStatus"/> (which <see cref="Membership"/> writes to <c>status/&lt;node&gt;</c>). A compacted
/// watch leads to a full re-read; a store that fails is retried with a doubling delay while the last set stays in
/// force; a filter that cannot run is reported and left out, and the rest apply. An adapter that comes (back) to
/// Running, a fresh supervisor after a failure among them, is given the newest set again. A <see cref="TeamChanged"/>
/// compiles the sets again at the same revision, so a survivor carries its down team members' filters.
/// </summary>
public sealed class FilterAgent(FilterAgentSettings settings) : ActorBase
{
    private const string RetryTimer = "retry";
    private readonly Queue<object> _pending = new();
    private SortedDictionary<string, DesiredFilter> _desired = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, CompiledFilterSet> _sets = new Dictionary<string, CompiledFilterSet>();
    private IReadOnlyDictionary<string, CompiledFilterSet> _newest = new Dictionary<string, CompiledFilterSet>();
    private IReadOnlyList<RejectedFilter> _rejected = [];
    private CancellationTokenSource? _watch;
    private int _generation;
    private long _applied;
    private long _changeRevision;
    private long _received;
    private bool _publishing;
    private string? _storeError;
    private TimeSpan _retryDelay;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _teams = new(StringComparer.Ordinal);
    private bool _compiled;

    /// <summary>Asks for the sets in force; the answer is <see cref="FilterSets"/>.</summary>
    public sealed record GetFilterSets
    {
        /// <summary>The one instance.</summary>
        public static GetFilterSets Instance { get; } = new();
    }

    /// <summary>The sets in force on each adapter, and the revision they are current to.</summary>
    public sealed record FilterSets(long AppliedRevision, IReadOnlyDictionary<string, CompiledFilterSet> Sets, IReadOnlyList<RejectedFilter> Rejected);

    private sealed record Resync;

    private sealed record Snapshot(RangeResult Range);

    private sealed record Changes(int Generation, IReadOnlyList<WatchEvent> Events)
    {
        public long Revision => Events[0].Revision;
    }

    private sealed record WatchFailed(int Generation, Exception Cause);

    private sealed record ReadFailed(Exception Cause);

    private sealed record RetryWatch;

    private sealed record Recompile;

    private sealed record Published(long Revision, long ChangeRevision, IReadOnlyDictionary<string, CompiledFilterSet> Sets, IReadOnlyList<RejectedFilter> Rejected);

    /// <summary>Creates the agent as <c>filter-agent</c> of <paramref name="system"/>.</summary>
    public static IActorRef Start(ActorSystem system, FilterAgentSettings settings) =>
        system.ActorOf(Props.Create(() => new FilterAgent(settings)), "filter-agent");

    /// <inheritdoc/>
    protected override void PreStart()
    {
        _retryDelay = settings.MinRetryDelay;
        Context.System.EventStream.Subscribe(Self, typeof(AdapterStateChanged));
        Context.System.EventStream.Subscribe(Self, typeof(TeamChanged));
        Self.Tell(new Resync());
    }

    /// <inheritdoc/>
    protected override void PostStop() => StopWatch();

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Resync:
                settings.Store.RangeAsync(settings.Prefix).PipeTo(Self, range => new Snapshot(range), e => new ReadFailed(e));
                break;
            case Snapshot snapshot:
                StoreHealthy();
                // The snapshot replaces whatever the old watch still had queued; the new watch starts right after it.
                _pending.Clear();
                _pending.Enqueue(snapshot);
                StartWatch(snapshot.Range.Revision);
                ApplyNext();
                break;
            case Changes changes when changes.Generation == _generation:
                StoreHealthy();
                _received = changes.Revision;
                _pending.Enqueue(changes);
                ApplyNext();
                break;
            case WatchFailed failed when failed.Generation == _generation && failed.Cause is CompactedException compacted:
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: the filter watch lost history ({compacted.Message}); reading every filter again.", compacted));
                StopWatch();
                Self.Tell(new Resync());
                break;
            case WatchFailed failed when failed.Generation == _generation:
                StopWatch();
                StoreFailed($"the filter watch failed: {failed.Cause.Message}", failed.Cause, new RetryWatch());
                break;
            case ReadFailed failed:
                StoreFailed($"cannot read the filters: {failed.Cause.Message}", failed.Cause, new Resync());
                break;
            case RetryWatch:
                StartWatch(_received);
                break;
            case Published published:
                _publishing = false;
                _applied = published.Revision;
                _changeRevision = published.ChangeRevision;
                _sets = published.Sets;
                _rejected = published.Rejected;
                PublishStatus();
                ApplyNext();
                break;
            case AdapterStateChanged { State: AdapterState.Running } running when _newest.TryGetValue(running.Adapter, out var newest):
                // A fresh adapter supervisor starts from the node's own filters; a set in flight may have gone to the old one.
                settings.Adapters.Tell(new ToAdapter(running.Adapter, new PublishFilters(newest)));
                break;
            case TeamChanged team:
                _teams[team.Team] = team.CoveredBy;
                // Before the first snapshot there is nothing to recompile: the snapshot's sets take the cover in.
                if (_compiled)
                    _pending.Enqueue(new Recompile());
                ApplyNext();
                break;
            case StatusFailure failed:
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: an adapter kept its last good filter set: {failed.Cause.Message}", failed.Cause));
                break;
            case AdapterStateChanged or FiltersApplied:
                break;
            case GetFilterSets:
                Sender.Tell(new FilterSets(_applied, _sets, _rejected));
                break;
            case Changes or WatchFailed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void StartWatch(long after)
    {
        StopWatch();
        _received = after;
        _watch = new CancellationTokenSource();
        _ = PumpAsync(settings.Store, settings.Prefix, after + 1, ++_generation, Self, _watch.Token);
    }

    private void StopWatch()
    {
        _watch?.Cancel();
        _watch?.Dispose();
        _watch = null;
        _generation++;
    }

    /// <summary>
    /// Forwards the watch to the agent one revision at a time: events of one revision that arrive together (a
    /// transaction) travel as one <see cref="Changes"/>.
    /// </summary>
    private static async Task PumpAsync(IClusterStore store, string prefix, long from, int generation, IActorRef agent, CancellationToken cancel)
    {
        await Task.Yield();
        try
        {
            await using var events = store.WatchAsync(prefix, from, cancel).GetAsyncEnumerator(cancel);
            var batch = new List<WatchEvent>();
            var next = events.MoveNextAsync();
            while (await next)
            {
                if (batch.Count > 0 && batch[0].Revision != events.Current.Revision)
                {
                    agent.Tell(new Changes(generation, batch));
                    batch = [];
                }
                batch.Add(events.Current);
                next = events.MoveNextAsync();
                if (!next.IsCompleted)
                {
                    agent.Tell(new Changes(generation, batch));
                    batch = [];
                }
            }
            if (batch.Count > 0)
                agent.Tell(new Changes(generation, batch));
            if (!cancel.IsCancellationRequested)
                agent.Tell(new WatchFailed(generation, new InvalidOperationException("the store ended the watch.")));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            agent.Tell(new WatchFailed(generation, e));
        }
    }

    /// <summary>Takes the next revision, if no publish is under way: updates the desired filters and publishes to every adapter.</summary>
    private void ApplyNext()
    {
        if (_publishing || !_pending.TryDequeue(out var next))
            return;
        long revision, changeRevision;
        if (next is Snapshot snapshot)
        {
            var previous = _desired;
            _desired = new SortedDictionary<string, DesiredFilter>(StringComparer.Ordinal);
            foreach (var item in snapshot.Range.Items)
                Put(item);
            revision = snapshot.Range.Revision;
            changeRevision = Math.Max(_changeRevision, snapshot.Range.Items.Select(i => i.ModRevision).DefaultIfEmpty(0).Max());
            if (_applied > 0)
                ReportDiff(previous, revision);
        }
        else if (next is Changes changes)
        {
            // The revisions that queued up while the last publish was under way go out together, in order: a backlog of
            // R revisions costs one compile and publish of the set, not R. None is ever split.
            Apply(changes);
            while (_pending.TryPeek(out var queued) && queued is Changes later)
            {
                _pending.Dequeue();
                Apply(later);
                changes = later;
            }
            revision = changeRevision = changes.Revision;
        }
        else
        {
            revision = _applied;
            changeRevision = _changeRevision;
        }
        _publishing = true;
        _compiled = true;
        var coveredBy = _teams.Values.SelectMany(t => t).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var (sets, rejected) = ScopedFilterSets.Compile(_desired.Values, settings, revision, coveredBy);
        _newest = sets;
        PublishAsync(sets, rejected).PipeTo(Self, all => new Published(revision, changeRevision, sets, all), e => new Published(revision, changeRevision, sets,
            [.. rejected, new RejectedFilter("*", null, e.Message)]));
    }

    /// <summary>Publishes each adapter's set; an adapter that refuses its set keeps its last good one and is reported.</summary>
    private async Task<IReadOnlyList<RejectedFilter>> PublishAsync(IReadOnlyDictionary<string, CompiledFilterSet> sets, IReadOnlyList<RejectedFilter> rejected)
    {
        var answers = sets.Select(async s =>
        {
            try
            {
                await settings.Adapters.Ask<FiltersApplied>(new ToAdapter(s.Key, new PublishFilters(s.Value)), settings.PublishTimeout);
                return null;
            }
            catch (Exception e)
            {
                return new RejectedFilter("*", s.Key, $"{s.Key} kept its last good filter set: {e.Message}");
            }
        }).ToList();
        var refused = (await Task.WhenAll(answers)).OfType<RejectedFilter>();
        return [.. rejected, .. refused];
    }

    private void Apply(Changes changes)
    {
        foreach (var e in changes.Events)
        {
            if (e.Type == WatchEventType.Put)
                Put(e.Item);
            else
                _desired.Remove(IdOf(e.Item.Key));
        }
    }

    private void Put(KeyValue item)
    {
        var id = IdOf(item.Key);
        _desired[id] = DesiredFilter.Read(id, item.Key, item.Value, item.ModRevision);
    }

    private string IdOf(string key) => key[settings.Prefix.Length..];

    /// <summary>After a re-read, says what changed while the watch was gone.</summary>
    private void ReportDiff(SortedDictionary<string, DesiredFilter> previous, long revision)
    {
        var added = _desired.Keys.Count(k => !previous.ContainsKey(k));
        var removed = previous.Keys.Count(k => !_desired.ContainsKey(k));
        var changed = _desired.Count(d => previous.TryGetValue(d.Key, out var p) && p.ModRevision != d.Value.ModRevision);
        Context.System.EventStream.Publish(new FilterAgentResynced(settings.Node, revision, added, removed, changed));
    }

    private void StoreFailed(string problem, Exception cause, object retry)
    {
        var delay = _retryDelay;
        _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, settings.MaxRetryDelay.Ticks));
        var error = $"{problem} (retrying in {delay.TotalSeconds:0.###} s; the filters of revision {_applied} stay in force)";
        if (_storeError is null)
            Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: {error}", cause));
        _storeError = error;
        PublishStatus();
        Context.Timers.StartSingleTimer(RetryTimer, retry, delay);
    }

    private void StoreHealthy()
    {
        _retryDelay = settings.MinRetryDelay;
        if (_storeError is null)
            return;
        _storeError = null;
        PublishStatus();
    }

    private void PublishStatus() =>
        Context.System.EventStream.Publish(new FilterAgentStatus(_applied, _changeRevision, _rejected, _storeError));
}
