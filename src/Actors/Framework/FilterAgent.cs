using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Keeps a node's adapters running the cluster's filters (DESIGN.md, "The cluster"): ranges <c>filters/</c> at a
/// revision R and publishes the sets it compiles (<see cref="ScopedFilterSets"/>) to every local adapter, then watches
/// from R+1 and applies the revisions in order, each whole in one publish (those that arrived during a publish go out
/// together in the next, once the watch has been quiet for <see cref="FilterAgentSettings.SettleQuiet"/> or the backlog
/// has waited <see cref="FilterAgentSettings.SettleMax"/>, both stretched to the last publish's own length: a bulk write
/// costs a node a few compiles of the set, not one per publish it outlasts). After each one it publishes a
/// <see cref="FilterAgentStatus"/> (which <see cref="Membership"/> writes to <c>status/&lt;node&gt;</c>). A compacted
/// watch leads to a full re-read; a store that fails is retried with a doubling delay while the last set stays in
/// force; a filter that cannot run is reported and left out, and the rest apply. An adapter that comes (back) to
/// Running, a fresh supervisor after a failure among them, is given the newest set again, and so is one that kept its
/// last good set (no answer in time, say) after a doubling delay, until it takes it. A <see cref="TeamChanged"/>
/// compiles the sets again at the same revision, so a survivor carries its down team members' filters.
/// </summary>
public sealed class FilterAgent(FilterAgentSettings settings) : ActorBase
{
    private const string RetryTimer = "retry";
    private const string SettleTimer = "settle";
    private const string CheckTimer = "watch-check";
    private const string RetryAdapterTimer = "retry-adapter-";
    private readonly Queue<object> _pending = new();
    // Per adapter: the set in force, the set last offered, the cluster filters it refused, those in force (id to mod
    // revision), what it reports refused, and the revision (and change revision) its set in force is current to.
    private readonly Dictionary<string, CompiledFilterSet> _sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledFilterSet> _newest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, AdapterRefusal>> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, long>> _inForce = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<RejectedFilter>> _adapterRejected = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Revision, long ChangeRevision)> _adapterApplied = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _teams = new(StringComparer.Ordinal);
    // Per adapter that kept its last good set: the wait before it is given the newest set again.
    private readonly Dictionary<string, TimeSpan> _adapterRetryDelays = new(StringComparer.Ordinal);
    private SortedDictionary<string, DesiredFilter> _desired = new(StringComparer.Ordinal);
    private IReadOnlyList<RejectedFilter> _nodeRejected = [];
    private IReadOnlyList<RejectedFilter> _rejected = [];
    private IReadOnlyList<string> _unmatched = [];
    private CancellationTokenSource? _watch;
    private int _generation;
    private long _applied;
    private long _changeRevision;
    private long _revision;
    private long _revisionChange;
    private long _received;
    private bool _publishing;
    private bool _settling;
    private long _lastChange;
    private long _settleStarted;
    private long _publishStarted;
    private long _lastPublishMs;
    private bool _compiled;
    private string? _storeError;
    private TimeSpan _retryDelay;
    private long _behindAt;

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

    /// <summary>Time to compare a quiet watch with the store (<see cref="FilterAgentSettings.WatchCheck"/>).</summary>
    private sealed record CheckWatch;

    /// <summary>The store's summary of the prefix, taken while the watch of <paramref name="Generation"/> had delivered up to <paramref name="Received"/>; null if the read failed.</summary>
    private sealed record Checked(int Generation, long Received, PrefixSummary? Summary);

    /// <summary>Looks whether the watch has gone quiet (or the backlog waited long enough) to publish the backlog.</summary>
    private sealed record Settle;

    /// <summary>An adapter came (back) to Running: it is given the newest set again.</summary>
    private sealed record Republish(string Adapter);

    /// <summary>Time to give an adapter that kept its last good set the newest set again.</summary>
    private sealed record RetryAdapter(string Adapter);

    /// <summary>A team's cover changed: every set is compiled again at the same revision.</summary>
    private sealed record Recompile;

    private sealed record Published(long Revision, long ChangeRevision, IReadOnlyList<AdapterOutcome> Outcomes, IReadOnlyList<RejectedFilter> NodeRejected, IReadOnlyList<string> Unmatched);

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
        Context.Timers.StartPeriodicTimer(CheckTimer, new CheckWatch(), settings.WatchCheck);
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
                StopSettling();
                ApplyNext();
                break;
            case Changes changes when changes.Generation == _generation:
                StoreHealthy();
                _received = changes.Revision;
                _behindAt = 0;
                _lastChange = Environment.TickCount64;
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
            case CheckWatch when _watch is not null && Idle:
                var (generation, received) = (_generation, _received);
                settings.Store.SummarizeAsync(settings.Prefix).PipeTo(Self, summary => new Checked(generation, received, summary), _ => new Checked(generation, received, null));
                break;
            case CheckWatch:
                break;
            case Checked check when check.Generation == _generation && check.Received == _received && Idle:
                OnChecked(check.Summary);
                break;
            case Checked:
                _behindAt = 0;
                break;
            case Published published:
                _publishing = false;
                _lastPublishMs = Environment.TickCount64 - _publishStarted;
                Record(published);
                PublishStatus();
                if (_pending.TryPeek(out var queued) && queued is Changes)
                    StartSettling();
                else
                    ApplyNext();
                break;
            case Settle when _settling:
                var now = Environment.TickCount64;
                var quietFor = now - _lastChange;
                if (quietFor < SettleQuietMs && now - _settleStarted < SettleMaxMs)
                {
                    Context.Timers.StartSingleTimer(SettleTimer, new Settle(), TimeSpan.FromMilliseconds(SettleQuietMs - quietFor));
                    break;
                }
                _settling = false;
                ApplyNext();
                break;
            case Settle:
                break;
            case AdapterStateChanged { State: AdapterState.Running } running when _newest.ContainsKey(running.Adapter):
                // A fresh adapter supervisor starts from the node's own filters; a set in flight may have gone to the old one.
                _pending.Enqueue(new Republish(running.Adapter));
                StopSettling();
                ApplyNext();
                break;
            case RetryAdapter retry:
                _pending.Enqueue(new Republish(retry.Adapter));
                ApplyNext();
                break;
            case TeamChanged team:
                _teams[team.Team] = team.CoveredBy;
                // Before the first snapshot there is nothing to recompile: the snapshot's sets take the cover in.
                if (_compiled)
                    _pending.Enqueue(new Recompile());
                StopSettling();
                ApplyNext();
                break;
            case StatusFailure failed:
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: an adapter kept its last good filter set: {failed.Cause.Message}", failed.Cause));
                break;
            case AdapterStateChanged or FiltersApplied:
                break;
            case GetFilterSets:
                Sender.Tell(new FilterSets(_applied, new Dictionary<string, CompiledFilterSet>(_sets, StringComparer.Ordinal), _rejected));
                break;
            case Changes or WatchFailed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Whether every delivered revision is in force: no backlog, no publish or settle under way, so the desired filters are the prefix at <see cref="_received"/>.</summary>
    private bool Idle => !_publishing && !_settling && _pending.Count == 0 && _compiled && _revision == _received;

    /// <summary>
    /// Compares the prefix with what the watch delivered: a different key count or a newer mod revision means a change
    /// the watch has not delivered. Found twice in a row with nothing delivered between (a stream that stays open and
    /// silent: etcd's JSON gateway did this with a watch response too big for it), the watch is given up for a full
    /// re-read, as after a compaction.
    /// </summary>
    private void OnChecked(PrefixSummary? summary)
    {
        var behind = summary is not null && (summary.Count != _desired.Count || summary.NewestModRevision > _received);
        if (!behind)
        {
            _behindAt = 0;
            return;
        }
        if (_behindAt == 0)
        {
            _behindAt = summary!.Revision;
            return;
        }
        var message = $"{settings.Node}: the filter watch delivered nothing past revision {_received} while the store moved to {summary!.Revision} " +
            $"({summary.Count} filters, {_desired.Count} known); reading every filter again.";
        Context.System.EventStream.Publish(new ActorError(Self, message, new TimeoutException(message)));
        _behindAt = 0;
        StopWatch();
        Self.Tell(new Resync());
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

    /// <summary>
    /// How long the watch must be quiet before a backlog goes out: at least as long as the last publish took, so that
    /// while a bulk write streams in, the node spends no more than about half its time compiling sets it will replace.
    /// </summary>
    private long SettleQuietMs => Math.Max((long)settings.SettleQuiet.TotalMilliseconds, _lastPublishMs);

    /// <summary>The longest a backlog waits: a steady stream still goes out at least this often, 4 publishes' length at the least.</summary>
    private long SettleMaxMs => Math.Max((long)settings.SettleMax.TotalMilliseconds, 4 * _lastPublishMs);

    /// <summary>Holds the backlog back until the watch goes quiet (<see cref="Settle"/>).</summary>
    private void StartSettling()
    {
        _settling = true;
        _settleStarted = Environment.TickCount64;
        Context.Timers.StartSingleTimer(SettleTimer, new Settle(), TimeSpan.FromMilliseconds(SettleQuietMs));
    }

    /// <summary>Lets the backlog go at once: a failover or a fresh adapter does not wait for a bulk write to end.</summary>
    private void StopSettling()
    {
        _settling = false;
        Context.Timers.Cancel(SettleTimer);
    }

    /// <summary>Takes the next revision, if no publish is under way and no backlog is settling: updates the desired filters and publishes to every adapter (or, for a <see cref="Republish"/>, to one).</summary>
    private void ApplyNext()
    {
        if (_publishing || _settling || !_pending.TryDequeue(out var next))
            return;
        var targets = settings.Targets;
        switch (next)
        {
            case Snapshot snapshot:
                var previous = _desired;
                _desired = new SortedDictionary<string, DesiredFilter>(StringComparer.Ordinal);
                foreach (var item in snapshot.Range.Items)
                    Put(item);
                _revision = snapshot.Range.Revision;
                _revisionChange = Math.Max(_revisionChange, snapshot.Range.Items.Select(i => i.ModRevision).DefaultIfEmpty(0).Max());
                if (_applied > 0)
                    ReportDiff(previous, _revision);
                break;
            case Changes changes:
                // The revisions that queued up while the last publish was under way go out together, in order: a backlog of
                // R revisions costs one compile and publish of the set, not R. None is ever split.
                Apply(changes);
                while (_pending.TryPeek(out var queued) && queued is Changes later)
                {
                    _pending.Dequeue();
                    Apply(later);
                    changes = later;
                }
                _revision = _revisionChange = changes.Revision;
                break;
            case Republish republish:
                targets = [.. targets.Where(t => t.Adapter == republish.Adapter)];
                break;
        }
        _publishing = true;
        _publishStarted = Environment.TickCount64;
        _compiled = true;
        var (candidates, nodeRejected) = ScopedFilterSets.Candidates(_desired.Values, settings);
        var unmatched = ScopedFilterSets.Unmatched(candidates, settings.Targets, settings.Node);
        var plans = targets.Select(t => Plan(t, candidates)).ToList();
        var (revision, changeRevision) = (_revision, _revisionChange);
        Task.WhenAll(plans.Select(p => AdapterFilterPublisher.PublishAsync(p, settings, revision)))
            .PipeTo(Self, outcomes => new Published(revision, changeRevision, outcomes, nodeRejected, unmatched), e => new Published(revision, changeRevision, [],
                [.. nodeRejected, new RejectedFilter("*", null, e.Message)], unmatched));
    }

    /// <summary>
    /// What to publish to <paramref name="target"/>: the candidates in its scope, less the ones it refused as they are
    /// still written. When a filter in force there left or changed (room made, say), every refused one is tried again.
    /// </summary>
    private AdapterPlan Plan(FilterTarget target, IReadOnlyList<DesiredFilter> candidates)
    {
        var inScope = ScopedFilterSets.InScope(target, candidates, settings.Node);
        foreach (var member in _teams.Values.SelectMany(t => t).Where(c => c.Value == target.Adapter).Select(c => c.Key))
        {
            if (settings.Targets.FirstOrDefault(t => t.Adapter == member) is { } covered)
                inScope = ScopedFilterSets.Adopt(inScope, ScopedFilterSets.InScope(covered, candidates, settings.Node), target.Queues);
        }
        var current = inScope.ToDictionary(d => d.Id, d => d.ModRevision, StringComparer.Ordinal);
        var inForce = _inForce.GetValueOrDefault(target.Adapter) ?? new Dictionary<string, long>();
        var roomMade = inForce.Any(f => !current.TryGetValue(f.Key, out var modRevision) || modRevision != f.Value);
        var refused = roomMade
            ? new Dictionary<string, AdapterRefusal>()
            : (_refusals.GetValueOrDefault(target.Adapter) ?? new Dictionary<string, AdapterRefusal>())
                .Where(r => current.TryGetValue(r.Key, out var modRevision) && modRevision == r.Value.ModRevision).ToDictionary(StringComparer.Ordinal);
        return new AdapterPlan(target, inScope, refused, _newest.GetValueOrDefault(target.Adapter));
    }

    /// <summary>
    /// Takes in how each adapter's publish ended. The node's applied revision is the oldest any adapter's set in force
    /// is current to: an adapter that kept its last good set holds it back (and is reported with id <c>*</c>).
    /// </summary>
    private void Record(Published published)
    {
        _nodeRejected = published.NodeRejected;
        _unmatched = published.Unmatched;
        foreach (var outcome in published.Outcomes)
        {
            _newest[outcome.Adapter] = outcome.Tried;
            _refusals[outcome.Adapter] = outcome.Refused;
            _adapterRejected[outcome.Adapter] = outcome.Rejected;
            if (outcome.Accepted is not { } set)
            {
                RetryLater(outcome.Adapter);
                continue;
            }
            _adapterRetryDelays.Remove(outcome.Adapter);
            Context.Timers.Cancel(RetryAdapterTimer + outcome.Adapter);
            _sets[outcome.Adapter] = set;
            _inForce[outcome.Adapter] = outcome.InForce;
            _adapterApplied[outcome.Adapter] = (published.Revision, published.ChangeRevision);
        }
        _rejected = [.. _nodeRejected.Concat(settings.Targets.SelectMany(t => _adapterRejected.GetValueOrDefault(t.Adapter) ?? []))
            .Select(r => r.Id != "*" && _desired.TryGetValue(r.Id, out var d) ? r with { Revision = d.ModRevision } : r)
            .OrderByDescending(r => r.Id == "*").ThenByDescending(r => r.Revision).ThenBy(r => r.Id, StringComparer.Ordinal).ThenBy(r => r.Adapter, StringComparer.Ordinal)];
        if (published.Outcomes.Count == 0 && settings.Targets.Count > 0)
            return;
        (_applied, _changeRevision) = settings.Targets.Count == 0
            ? (published.Revision, published.ChangeRevision)
            : settings.Targets.Select(t => _adapterApplied.GetValueOrDefault(t.Adapter)).MinBy(a => a.Revision);
    }

    /// <summary>Gives <paramref name="adapter"/>, which kept its last good set, the newest set again after a doubling delay: a timeout does not leave it behind until the next change.</summary>
    private void RetryLater(string adapter)
    {
        var delay = _adapterRetryDelays.GetValueOrDefault(adapter, settings.MinRetryDelay);
        _adapterRetryDelays[adapter] = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxRetryDelay.Ticks));
        Context.Timers.StartSingleTimer(RetryAdapterTimer + adapter, new RetryAdapter(adapter), delay);
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
        Context.System.EventStream.Publish(new FilterAgentStatus(_applied, _changeRevision, _rejected, _storeError, _rejected.Count, _unmatched, _unmatched.Count));
}
