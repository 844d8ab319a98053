using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Owns one adapter's PD data path: opens the provider (refusing adapters that fail PD's requirements), allocates
/// queues and sets receive filters, runs a <see cref="QueueActor"/> per queue pair, and absorbs device events without
/// touching the data path: link changes are counted; disable and low power quiesce (stop posting, flush, drain,
/// clear filters, free queues, close the provider) and enable / D0 bring it all back; surprise removal stops every
/// queue, reclaims every buffer and reports the loss; arrival re-adopts the adapter.
/// The filters in force are one <see cref="CompiledFilterSet"/>: every open sets its receive filters and gives the
/// queues its software table; <see cref="PublishFilters"/> replaces it (receive filters by a diff, tables by a swap).
/// Queue actors are resumed for a bad packet and restarted for a broken stage, at most 3 times in 10 s.
/// </summary>
public sealed class AdapterSupervisor(AdapterSettings settings) : ActorBase
{
    private readonly List<QueueTelemetry> _telemetry = [];
    private readonly HashSet<IActorRef> _queues = [];
    private readonly Dictionary<string, SetFilter> _receiveFilters = [];
    private readonly List<PendingPublish> _pending = [];
    private IDisposable? _subscription;
    private IActorRef? _firstQueue;
    private IPdProvider? _provider;
    private SteeringMesh? _steering;
    // The previous provider's teardown while it runs in the background: the adapter opens again only once it ended.
    private Task? _closing;
    // Read by queue actor factories on the queues' threads, so a restarted queue starts with the set in force.
    private volatile CompiledFilterSet _filters = CompiledFilterSet.Empty;
    // The set whose receive filters the adapter last accepted: what goes back in force if it refuses a set published while closed.
    private CompiledFilterSet? _lastInstalled;
    private AdapterState _state = AdapterState.Starting;
    private string? _error;
    private bool _linkUp = true;
    private bool _enabled = true;
    private bool _fullPower = true;
    private bool _present = true;

    /// <summary>
    /// How to create one: on a thread of its own that sleeps in the kernel (the pinned dispatcher's eventfd). The thread
    /// pool's workers, and Monitor-based waits, spin with sched_yield before they sleep; beside queue threads that
    /// busy-poll every core, a yielding control thread waits for a scheduler tick (4 ms here) before it runs, while a
    /// thread parked in the kernel is woken at once. A filter publish or a device event then reaches the queues in
    /// tens of microseconds under full load instead of milliseconds.
    /// </summary>
    public static Props PropsFor(AdapterSettings settings) =>
        Props.Create(() => new AdapterSupervisor(settings)).WithDispatcher(Props.PinnedDispatcher);

    /// <inheritdoc/>
    protected override SupervisorStrategy SupervisorStrategy { get; } = new OneForOneStrategy(3, TimeSpan.FromSeconds(10), e => e switch
    {
        BadPacketException => Directive.Resume,
        PdException { Status: PdStatus.DeviceRemoved } => Directive.Stop,
        _ => SupervisorStrategy.DefaultDecider(e),
    });

    /// <inheritdoc/>
    protected override void PreStart()
    {
        var self = Self;
        _subscription = settings.Events.Subscribe(e => self.Tell(new DeviceEventOccurred(e)));
        (_linkUp, _enabled, _fullPower, _present) = settings.Events.Current;
        if (!settings.PdEnabled)
        {
            SetState(AdapterState.NotEnabled);
            return;
        }
        settings.Filters.EnsureQueuesExist(settings.Queues);
        _filters = settings.Filters;
        Open();
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        CloseCaptures($"{settings.Name}'s supervisor stopped (the node is stopping, or restarts the adapter)");
        _subscription?.Dispose();
        AwaitTeardown();
        CloseProvider();
        foreach (var pending in _pending)
            pending.ReplyTo.Tell(new StatusFailure(new InvalidOperationException($"{settings.Name}: the adapter supervisor stopped before the filters were in force.")));
        _pending.Clear();
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case DeviceEventOccurred occurred:
                OnDeviceEvent(occurred.Event);
                break;
            case Terminated terminated:
                OnQueueStopped(terminated.ActorRef);
                break;
            case ProviderClosed closed when closed.Teardown == _closing:
                AwaitTeardown();
                Reconcile();
                break;
            case GetAdapterStatus:
                Sender.Tell(settings.Telemetry.Status(settings.Name, settings.Pool));
                break;
            case PublishFilters publish:
                Publish(publish.Filters);
                break;
            case TransmitFrames transmit when _state == AdapterState.Running && _firstQueue is { } first && _queues.Contains(first):
                first.Tell(transmit, Sender);
                break;
            case TransmitFrames transmit:
                Sender.Tell(new FramesTransmitted(settings.Name, 0, transmit.Frames.Count));
                break;
            case FiltersPublished published:
                foreach (var pending in _pending.Where(p => p.Filters == published.Filters))
                    pending.Awaiting.Remove(Sender);
                ReplyToApplied();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnDeviceEvent(DeviceEvent e)
    {
        settings.Telemetry.Count(e);
        switch (e)
        {
            case DeviceEvent.LinkUp or DeviceEvent.LinkDown:
                _linkUp = e == DeviceEvent.LinkUp;
                PublishTelemetry();
                return;
            case DeviceEvent.Disable:
                _enabled = false;
                break;
            case DeviceEvent.Enable:
                _enabled = true;
                break;
            case DeviceEvent.LowPower:
                _fullPower = false;
                break;
            case DeviceEvent.FullPower:
                _fullPower = true;
                break;
            case DeviceEvent.SurpriseRemoval:
                _present = false;
                Context.System.EventStream.Publish(new AdapterRemoved(settings.Name));
                break;
            case DeviceEvent.Arrival:
                _present = true;
                break;
        }
        Reconcile();
    }

    /// <summary>Moves toward what the flags say: running when present, enabled and powered; closed otherwise.</summary>
    private void Reconcile()
    {
        if (!settings.PdEnabled || _state is AdapterState.Stopping or AdapterState.Refused)
            return;
        var wanted = _present && _enabled && _fullPower;
        if (wanted && _state != AdapterState.Running && _closing is null)
            Open();
        else if (!wanted && _state == AdapterState.Running)
            Quiesce();
        else if (!wanted)
            SetState(_present ? AdapterState.Quiesced : AdapterState.Removed);
    }

    private void Open()
    {
        if (!(_present && _enabled && _fullPower))
        {
            SetState(_present ? AdapterState.Quiesced : AdapterState.Removed);
            return;
        }
        SetState(AdapterState.Starting);
        try
        {
            OpenQueues();
            var refusal = InstallFilters();
            StartQueueActors();
            _error = refusal;
            SetState(AdapterState.Running);
        }
        catch (PdNotSupportedException e)
        {
            _error = e.Message;
            CloseProvider();
            SetState(AdapterState.Refused);
        }
        catch (PdException e) when (e.Status == PdStatus.DeviceRemoved)
        {
            _error = e.Message;
            CloseProvider();
            SetState(AdapterState.Removed);
        }
        catch (Exception e)
        {
            // The supervisor fails and starts afresh; the cause stays readable in /status and in the node's give-up message.
            _error = e.Message;
            PublishTelemetry();
            throw;
        }
    }

    /// <summary>
    /// Sets the receive filters of the set in force. If the adapter refuses a set published while it was closed, the
    /// set it last accepted goes back in force (receive filters and queue tables alike) and the refusal is returned, to
    /// stand as the adapter's error in /status and on the node's error log.
    /// </summary>
    private string? InstallFilters()
    {
        try
        {
            SetReceiveFilters(_filters.HardwareFilters);
            _lastInstalled = _filters;
            return null;
        }
        catch (FilterSpecException e) when (_lastInstalled is { } good && !ReferenceEquals(good, _filters))
        {
            var refused = _filters;
            _filters = good;
            SetReceiveFilters(good.HardwareFilters);
            var message = $"{settings.Name}: {e.Message}; revision {refused.Revision}, published while the adapter was closed, is not in force: revision {good.Revision} is.";
            Context.System.EventStream.Publish(new ActorError(Self, message, e));
            return message;
        }
    }

    /// <summary>Opens the provider and allocates the queue pairs; the first receive queue takes over the adapter's RSS.</summary>
    private void OpenQueues()
    {
        _provider = settings.OpenProvider();
        var receive = new List<IPdQueue>(_provider.AcquireReceiveQueues(QueueParameters(PdQueueType.Receive), 1));
        for (var i = 1; i < settings.Queues; i++)
            receive.Add(_provider.AllocateQueue(QueueParameters(PdQueueType.Receive)));
        for (var i = 0; i < settings.Queues; i++)
            _telemetry.Add(new QueueTelemetry(i, receive[i], _provider.AllocateQueue(QueueParameters(PdQueueType.Transmit))));
    }

    private PdQueueParameters QueueParameters(PdQueueType type) =>
        new(type, type == PdQueueType.Receive ? settings.ReceiveQueueSizeInForce : settings.QueueSize, settings.Pool);

    /// <summary>
    /// Brings the adapter's receive filters to <paramref name="wanted"/> by a diff committed as one batch: clears the
    /// removed and changed ones, sets the new and changed ones, leaves the unchanged ones as they are. A filter the
    /// adapter refuses throws <see cref="FilterSpecException"/> naming it (and carrying its id), and the batch leaves the filters set before in
    /// force. Where the provider orders equal priorities by when they were set, a filter set by a publish yields to an
    /// unchanged one of the same priority.
    /// </summary>
    private void SetReceiveFilters(IReadOnlyList<HardwareFilter> wanted)
    {
        var unchanged = wanted.Where(w => _receiveFilters.TryGetValue(w.Id, out var set) && set.Filter == w).Select(w => w.Id).ToHashSet();
        var stale = _receiveFilters.Values.Where(s => !unchanged.Contains(s.Filter.Id)).ToList();
        var added = wanted.Where(w => !unchanged.Contains(w.Id)).ToList();
        if (stale.Count == 0 && added.Count == 0)
            return;
        var parameters = added.Select(f => new ReceiveFilterParameters(f.Matches, _telemetry[f.Queue].Receive, f.Priority, f.Context)).ToList();
        IReadOnlyList<PdReceiveFilter> handles;
        settings.Telemetry.Installing(stale.Count + added.Count);
        try
        {
            handles = _provider!.UpdateReceiveFilters([.. stale.Select(s => s.Handle)], parameters);
        }
        catch (PdReceiveFilterRefusedException e) when (e.Status != PdStatus.DeviceRemoved)
        {
            throw new FilterSpecException($"filter '{added[e.Index].Id}': the adapter refused it: {e.Message}", e.Message) { FilterId = added[e.Index].Id };
        }
        finally
        {
            settings.Telemetry.Installing(0);
        }
        foreach (var s in stale)
            _receiveFilters.Remove(s.Filter.Id);
        for (var i = 0; i < added.Count; i++)
            _receiveFilters.Add(added[i].Id, new SetFilter(added[i], handles[i]));
    }

    /// <summary>Starts a queue actor per queue pair on a thread of its own; a restarted one takes the set in force at that time.</summary>
    private void StartQueueActors()
    {
        var steering = _steering = new SteeringMesh(settings.Queues);
        var osPath = _provider!.OsPath;
        var idle = !settings.DrainNotification ? QueueIdle.Backoff : settings.PacedPoll ? QueueIdle.Paced : QueueIdle.DrainNotification;
        foreach (var telemetry in _telemetry)
        {
            var props = Props.Create(() => new QueueActor(new QueueActorSettings(
                telemetry, settings.Pool, _filters, settings.Stages, settings.BurstSize, idle, steering, osPath, settings.ExceptionPath, settings.Queues, settings.Captures[telemetry.Queue])));
            var queue = Context.ActorOf(props.WithDispatcher(Props.PinnedDispatcher), $"queue-{telemetry.Queue}");
            Context.Watch(queue);
            _queues.Add(queue);
            if (telemetry.Queue == 0)
                _firstQueue = queue;
            settings.Captures[telemetry.Queue].Open();
        }
    }

    /// <summary>Ends every capture on the adapter's queues with <paramref name="reason"/>; none is armed until the queues run again.</summary>
    private void CloseCaptures(string reason)
    {
        foreach (var capture in settings.Captures)
            capture.Close(reason);
    }

    /// <summary>
    /// Puts <paramref name="filters"/> in force: refused (the last good set stays, as the receive filters change in one
    /// batch) if a target queue does not exist or the adapter refuses a receive filter; otherwise the receive filters
    /// change by a diff when the data path is open, every queue swaps its table, and the next open installs this set.
    /// The publisher hears once all of it is done.
    /// </summary>
    private void Publish(CompiledFilterSet filters)
    {
        try
        {
            filters.EnsureQueuesExist(settings.Queues);
            if (_state == AdapterState.Running)
            {
                TrySetReceiveFilters(filters);
                _lastInstalled = filters;
            }
        }
        catch (FilterSpecException e)
        {
            Sender.Tell(new StatusFailure(new FilterSpecException($"{settings.Name}: {e.Message}", e.Problem) { FilterId = e.FilterId }));
            return;
        }
        _filters = filters;
        var pending = new PendingPublish(Sender, filters, _state == AdapterState.Running ? [.. _queues] : []);
        foreach (var queue in pending.Awaiting)
            queue.Tell(new PublishFilters(filters));
        _pending.Add(pending);
        ReplyToApplied();
    }

    /// <summary>Diffs the receive filters toward <paramref name="filters"/>; a device already gone is left to its removal, which closes the data path.</summary>
    private void TrySetReceiveFilters(CompiledFilterSet filters)
    {
        try
        {
            SetReceiveFilters(filters.HardwareFilters);
        }
        catch (PdException e) when (e.Status == PdStatus.DeviceRemoved)
        {
            // The removal event follows: the queues stop, the provider closes, and arrival sets the whole set afresh.
        }
    }

    /// <summary>Tells each publisher whose set every queue confirmed (or stopped without needing to) that it is in force.</summary>
    private void ReplyToApplied()
    {
        foreach (var done in _pending.Where(p => p.Awaiting.Count == 0))
            done.ReplyTo.Tell(new FiltersApplied(settings.Name, done.Filters.Revision, done.Filters.Count));
        _pending.RemoveAll(p => p.Awaiting.Count == 0);
    }

    private void Quiesce()
    {
        CloseCaptures(!_present ? $"{settings.Name} was removed" : !_enabled ? $"{settings.Name} was disabled" : $"{settings.Name} went to low power");
        SetState(AdapterState.Stopping);
        foreach (var queue in _queues)
            Context.Stop(queue);
    }

    private void OnQueueStopped(IActorRef queue)
    {
        if (!_queues.Remove(queue))
            return;
        foreach (var pending in _pending)
            pending.Awaiting.Remove(queue);
        ReplyToApplied();
        if (_state != AdapterState.Stopping)
        {
            _error = $"{queue.Path} stopped after repeated failures; the other queues keep running.";
            PublishTelemetry();
            return;
        }
        if (_queues.Count > 0)
            return;
        // Every buffer is home once the queues stopped: the adapter is quiesced (or removed) now, and the provider's
        // kernel objects go in the background, so a removal that comes meanwhile is heard at once.
        if (TakeProvider() is { } teardown)
        {
            var closing = _closing = teardown.RunInBackground(settings.Name, TeardownError());
            var self = Self;
            closing.ContinueWith(_ => self.Tell(new ProviderClosed(closing)), TaskScheduler.Default);
        }
        SetState(_present ? AdapterState.Quiesced : AdapterState.Removed);
        Reconcile();
    }

    /// <summary>PD's teardown after the queues are drained, on the supervisor's thread: clear filters, free queues, release RSS, close.</summary>
    private void CloseProvider() => TakeProvider()?.Run(TeardownError());

    /// <summary>Takes the provider and what it holds out of the supervisor, for a teardown; what was in flight between queues goes home.</summary>
    private ProviderTeardown? TakeProvider()
    {
        if (_provider is null)
            return null;
        var teardown = new ProviderTeardown(_provider, [.. _receiveFilters.Values.Select(f => f.Handle)], [.. _telemetry]);
        _provider = null;
        _receiveFilters.Clear();
        _telemetry.Clear();
        _steering?.DrainTo(settings.Pool);
        _steering = null;
        return teardown;
    }

    /// <summary>Waits for a background teardown to end (its failure is the supervisor's), so the next provider finds the adapter free.</summary>
    private void AwaitTeardown()
    {
        var closing = _closing;
        _closing = null;
        closing?.GetAwaiter().GetResult();
    }

    /// <summary>Where a teardown reports a queue it could not free, from whichever thread it runs on.</summary>
    private Action<string, Exception> TeardownError()
    {
        var (stream, self, name) = (Context.System.EventStream, Self, settings.Name);
        return (message, e) => stream.Publish(new ActorError(self, $"{name}: {message}", e));
    }

    private void SetState(AdapterState state)
    {
        var changed = _state != state;
        _state = state;
        PublishTelemetry();
        if (changed)
            Context.System.EventStream.Publish(new AdapterStateChanged(settings.Name, state, settings.Pool.FreeCount, settings.Pool.Capacity));
    }

    /// <summary>Publishes what the supervisor knows now, for status and metrics readers that must not wait for it.</summary>
    private void PublishTelemetry() =>
        settings.Telemetry.Publish(_state, _telemetry, _error, new DeviceState(_linkUp, _enabled, _fullPower, _present));

    /// <summary>A receive filter set in the adapter: what it is and the handle that clears it.</summary>
    private sealed record SetFilter(HardwareFilter Filter, PdReceiveFilter Handle);

    /// <summary>A background teardown ended.</summary>
    private sealed record ProviderClosed(Task Teardown);

    /// <summary>A publish waiting for the queues still running to confirm their new table.</summary>
    private sealed record PendingPublish(IActorRef ReplyTo, CompiledFilterSet Filters, HashSet<IActorRef> Awaiting);
}
