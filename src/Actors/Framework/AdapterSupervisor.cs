using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.DataPath;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>What an adapter supervisor needs: how to open the provider, where device events come from, and the data path's shape.</summary>
/// <param name="OpenProvider">Opens a PD provider on the adapter (checks PD's requirements; may throw <see cref="PdNotSupportedException"/>).</param>
/// <param name="Pool">The adapter's buffers; it outlives providers and queue actors, so accounting spans every event.</param>
/// <param name="Stages">Makes each queue's stages after the filter and exception stages (default: L2 forwarding); called once per queue incarnation.</param>
/// <param name="ExceptionPath">Each queue hands frames that are not IP (ARP, LLDP) to the OS path.</param>
public sealed record AdapterSettings(
    string Name,
    Func<IPdProvider> OpenProvider,
    IDeviceEventSource Events,
    BufferPool Pool,
    IReadOnlyList<FilterSpec> Filters,
    int Queues = 2,
    int QueueSize = 1024,
    bool DrainNotification = false,
    bool PdEnabled = true,
    Func<IReadOnlyList<IPacketStage>>? Stages = null,
    int BurstSize = PdForwarder.DefaultBurstSize,
    bool ExceptionPath = true)
{
    /// <summary>Where the supervisor publishes its live state for readers on other threads (metrics).</summary>
    public AdapterTelemetry Telemetry { get; } = new();
}

/// <summary>An adapter's live state and queue counters, readable from any thread.</summary>
public sealed class AdapterTelemetry
{
    private volatile QueueTelemetry[] _queues = [];
    private volatile int _state;

    /// <summary>The current queue pairs (empty when the data path is closed).</summary>
    public IReadOnlyList<QueueTelemetry> Queues => _queues;

    /// <summary>The adapter's state.</summary>
    public AdapterState State => (AdapterState)_state;

    /// <summary>Whether the supervisor has started and published a state.</summary>
    public bool HasReported => _reported;

    private volatile bool _reported;

    internal void Publish(AdapterState state, IEnumerable<QueueTelemetry> queues)
    {
        _queues = [.. queues];
        _state = (int)state;
        _reported = true;
    }
}

/// <summary>
/// Owns one adapter's PD data path: opens the provider (refusing adapters that fail PD's requirements), allocates
/// queues and installs filters, runs a <see cref="QueueActor"/> per queue pair, and absorbs device events without
/// touching the data path: link changes are counted; disable and low power quiesce (stop posting, flush, drain,
/// clear filters, free queues, close the provider) and enable / D0 bring it all back; surprise removal stops every
/// queue, reclaims every buffer and reports the loss; arrival re-adopts the adapter.
/// Queue actors are resumed for a bad packet and restarted for a broken stage, at most 3 times in 10 s.
/// </summary>
public sealed class AdapterSupervisor(AdapterSettings settings) : ActorBase
{
    private readonly Dictionary<string, long> _events = Enum.GetNames<DeviceEvent>().ToDictionary(n => n, _ => 0L);
    private readonly List<QueueTelemetry> _telemetry = [];
    private readonly HashSet<IActorRef> _queues = [];
    private IDisposable? _subscription;
    private IPdProvider? _provider;
    private SteeringMesh? _steering;
    private List<PdReceiveFilter> _hardwareFilters = [];
    private FilterTable _table = FilterTable.Empty;
    private AdapterState _state = AdapterState.Quiesced;
    private string? _error;
    private bool _linkUp = true;
    private bool _enabled = true;
    private bool _fullPower = true;
    private bool _present = true;

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
        _table = FilterTable.Compile(settings.Filters);
        var self = Self;
        _subscription = settings.Events.Subscribe(e => self.Tell(new DeviceEventOccurred(e)));
        (_linkUp, _enabled, _fullPower, _present) = settings.Events.Current;
        if (!settings.PdEnabled)
        {
            SetState(AdapterState.NotEnabled);
            return;
        }
        Open();
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _subscription?.Dispose();
        CloseProvider();
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
            case GetAdapterStatus:
                Sender.Tell(Status());
                break;
            case PublishFilters publish:
                _table = publish.Table;
                foreach (var queue in _queues)
                    queue.Tell(publish, Sender);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnDeviceEvent(DeviceEvent e)
    {
        _events[e.ToString()]++;
        switch (e)
        {
            case DeviceEvent.LinkUp or DeviceEvent.LinkDown:
                _linkUp = e == DeviceEvent.LinkUp;
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
        if (wanted && _state != AdapterState.Running)
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
        try
        {
            _provider = settings.OpenProvider();
            var pool = settings.Pool;
            var receive = new List<IPdQueue>(_provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, settings.QueueSize, pool), 1));
            for (var i = 1; i < settings.Queues; i++)
                receive.Add(_provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, settings.QueueSize, pool)));
            _hardwareFilters = [];
            // Steer filters hand packets over in software; the others with a queue are installed in the adapter.
            foreach (var spec in settings.Filters.Where(f => f.Queue is not null && f.Action != FilterAction.Steer))
                _hardwareFilters.Add(_provider.SetReceiveFilter(new ReceiveFilterParameters(spec.ParseMatches(), receive[spec.Queue!.Value], spec.Priority, (ulong)_hardwareFilters.Count + 1)));
            _steering = new SteeringMesh(settings.Queues);
            for (var i = 0; i < settings.Queues; i++)
            {
                var transmit = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, settings.QueueSize, pool));
                var telemetry = new QueueTelemetry(i, receive[i], transmit);
                _telemetry.Add(telemetry);
                var queueSettings = new QueueActorSettings(telemetry, pool, _table, settings.Stages, settings.BurstSize,
                    Idle: settings.DrainNotification ? QueueIdle.DrainNotification : QueueIdle.Backoff, Steering: _steering, OsPath: _provider.OsPath, ExceptionPath: settings.ExceptionPath);
                var queue = Context.ActorOf(Props.Create(() => new QueueActor(queueSettings)).WithDispatcher(Props.PinnedDispatcher), $"queue-{i}");
                Context.Watch(queue);
                _queues.Add(queue);
            }
            _error = null;
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
    }

    private void Quiesce()
    {
        SetState(AdapterState.Stopping);
        foreach (var queue in _queues)
            Context.Stop(queue);
    }

    private void OnQueueStopped(IActorRef queue)
    {
        if (!_queues.Remove(queue))
            return;
        if (_state != AdapterState.Stopping)
        {
            _error = $"{queue.Path} stopped after repeated failures; the other queues keep running.";
            return;
        }
        if (_queues.Count > 0)
            return;
        CloseProvider();
        SetState(_present ? AdapterState.Quiesced : AdapterState.Removed);
        Reconcile();
    }

    /// <summary>PD's teardown after the queues are drained: clear filters, free queues, release RSS, close.</summary>
    private void CloseProvider()
    {
        if (_provider is null)
            return;
        foreach (var filter in _hardwareFilters)
        {
            try
            {
                _provider.ClearReceiveFilter(filter);
            }
            catch (PdException)
            {
                // The device already dropped its filters (surprise removal).
            }
        }
        _hardwareFilters = [];
        foreach (var t in _telemetry)
        {
            TryFree(t.Transmit);
            if (t.Queue > 0)
                TryFree(t.Receive);
        }
        _provider.ReleaseReceiveQueues();
        _provider.Dispose();
        _provider = null;
        _telemetry.Clear();
        // Queue threads have stopped: what was in flight between queues goes home.
        _steering?.DrainTo(settings.Pool);
        _steering = null;
    }

    private void TryFree(IPdQueue queue)
    {
        try
        {
            _provider!.FreeQueue(queue);
        }
        catch (PdException e)
        {
            Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Name}: could not free queue: {e.Message}", e));
        }
    }

    private void SetState(AdapterState state)
    {
        settings.Telemetry.Publish(state, _telemetry);
        if (_state == state)
            return;
        _state = state;
        Context.System.EventStream.Publish(new AdapterStateChanged(settings.Name, state, settings.Pool.FreeCount, settings.Pool.Capacity));
    }

    private AdapterStatus Status() => new(
        settings.Name, _state, _error, _linkUp, _enabled, _fullPower, _present,
        settings.Pool.FreeCount, settings.Pool.Capacity, new Dictionary<string, long>(_events), [.. _telemetry.Select(t => t.Snapshot())]);
}
