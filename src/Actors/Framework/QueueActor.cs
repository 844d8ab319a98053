using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Concurrency;

namespace PdCluster.Actors.Framework;

/// <summary>What a queue thread does when a duty cycle found no work.</summary>
public enum QueueIdle
{
    /// <summary>Spin, then park up to 1 ms on the actor's wake signal (the default).</summary>
    Backoff,
    /// <summary>Never give up the core: lowest latency, one core per queue.</summary>
    BusySpin,
    /// <summary>Arm PD's drain notification on both queues, poll once more, then sleep until a completion or a message.</summary>
    DrainNotification,
}

/// <summary>How a queue actor runs.</summary>
/// <param name="Stages">Stages after the filter stage (by default L2 forwarding).</param>
/// <param name="Steering">The adapter's mesh for the steer action, shared by its queues.</param>
/// <param name="OsPath">The provider's OS path, where packets the pipeline hands back go.</param>
public sealed record QueueActorSettings(
    QueueTelemetry Telemetry,
    BufferPool Pool,
    FilterTable Filters,
    Func<IReadOnlyList<IPacketStage>>? Stages = null,
    int BurstSize = PdForwarder.DefaultBurstSize,
    QueueIdle Idle = QueueIdle.Backoff,
    SteeringMesh? Steering = null,
    IPdOsPath? OsPath = null);

/// <summary>
/// Owns one PD receive and one PD transmit queue and runs their duty cycle on a thread of its own (the pinned
/// dispatcher): PostAndDrain, pipeline, transmit, completions; between bursts it takes a few control messages
/// (a new filter table, a stats request). Stopping it flushes and drains both queues and returns every buffer.
/// A restart keeps the queues and the buffers posted to them.
/// </summary>
public sealed class QueueActor : ActorBase, IPolledActor
{
    private readonly QueueActorSettings _settings;
    private readonly BufferCache _cache;
    private readonly FilterStage _filters;
    private readonly PdForwarder _forwarder;

    /// <summary>Builds the pipeline on the actor's own thread.</summary>
    public QueueActor(QueueActorSettings settings)
    {
        _settings = settings;
        _cache = settings.Pool.CreateCache(Math.Max(256, settings.BurstSize * 8));
        var telemetry = settings.Telemetry;
        var lane = settings.Steering?.Lane(telemetry.Queue);
        _filters = new FilterStage(settings.Filters.Fork(), lane);
        var stages = new List<IPacketStage> { _filters };
        stages.AddRange(settings.Stages?.Invoke() ?? [new L2ForwardStage()]);
        _forwarder = new PdForwarder(telemetry.Receive, telemetry.Transmit, _cache, stages, settings.BurstSize, settings.OsPath, lane);
        IdleStrategy = settings.Idle switch
        {
            QueueIdle.DrainNotification => new DrainNotificationIdleStrategy([telemetry.Receive, telemetry.Transmit], WakeSignal, 200, TimeSpan.FromMilliseconds(100)),
            QueueIdle.BusySpin => new BusySpinIdleStrategy(),
            _ => new BackoffIdleStrategy(WakeSignal),
        };
        telemetry.Attach(_forwarder, _filters);
    }

    /// <inheritdoc/>
    public IIdleStrategy IdleStrategy { get; }

    /// <inheritdoc/>
    public WakeSignal WakeSignal { get; } = new();

    /// <inheritdoc/>
    public int Poll() => _forwarder.DoWork();

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case PublishFilters publish:
                _filters.Publish(publish.Table.Fork());
                Sender.Tell(new FiltersPublished(_settings.Telemetry.Queue, publish.Table.Specs.Count));
                break;
            case GetQueueStats:
                Sender.Tell(_settings.Telemetry.Snapshot());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Keeps the queues (and what is posted to them) for the next incarnation; only this thread's cache goes home.</summary>
    protected override void PreRestart(Exception reason, object? message)
    {
        _settings.Telemetry.Detach();
        _cache.Flush();
    }

    /// <summary>Flushes and drains both queues, returning every buffer to the pool.</summary>
    protected override void PostStop()
    {
        _settings.Telemetry.Detach();
        _forwarder.Quiesce(TimeSpan.FromSeconds(5));
        _cache.Flush();
    }
}
