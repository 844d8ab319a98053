using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Concurrency;
using PdCluster.Queues.Buffers;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Owns one PD receive and one PD transmit queue and runs their duty cycle on a thread of its own (the pinned
/// dispatcher): PostAndDrain, pipeline, transmit, completions; between bursts it takes a few control messages
/// (a new filter table, a stats request). Stopping it flushes and drains both queues and returns every buffer.
/// A restart keeps the queues and the buffers posted to them.
/// </summary>
public sealed class QueueActor : ActorBase, IPolledActor
{
    /// <summary>The smallest buffer cache a queue runs with: one buffer to take while another is being returned.</summary>
    public const int FewestCached = 2;

    private readonly QueueActorSettings _settings;
    private readonly BufferCache _cache;
    private readonly FilterStage _filters;
    private readonly PdForwarder _forwarder;

    /// <summary>Builds the pipeline on the actor's own thread.</summary>
    public QueueActor(QueueActorSettings settings)
    {
        _settings = settings;
        var telemetry = settings.Telemetry;
        var lane = settings.Steering?.Lane(telemetry.Queue);
        _filters = new FilterStage(new FilterTable(settings.Filters), lane);
        var stages = new List<IPacketStage> { _filters };
        if (settings.ExceptionPath)
            stages.Add(new ExceptionPathStage());
        stages.AddRange(settings.Stages?.Invoke() ?? [new L2ForwardStage()]);
        _cache = settings.Pool.CreateCache(CacheSize(settings.Pool.Capacity, settings.QueuesOnPool,
            telemetry.Receive.Capacity + telemetry.Transmit.Capacity, settings.BurstSize));
        try
        {
            _forwarder = new PdForwarder(telemetry.Receive, telemetry.Transmit, _cache, stages, settings.BurstSize, settings.OsPath, lane, settings.Capture);
            // Drain notification arms once the adaptive spin gives up: a spin that catches the next frames saves the
            // producer's core a wake-up, and one that takes the core from the kernel's receive work (threaded NAPI)
            // stops spinning.
            IdleStrategy = settings.Idle switch
            {
                QueueIdle.DrainNotification => new DrainNotificationIdleStrategy([telemetry.Receive, telemetry.Transmit], WakeSignal, AdaptiveSpinPolicy.ForQueues(), TimeSpan.FromMilliseconds(100)),
                QueueIdle.Paced => PacedIdleStrategy.ForQueues([telemetry.Receive, telemetry.Transmit], WakeSignal),
                QueueIdle.BusySpin => new BusySpinIdleStrategy(),
                _ => new BackoffIdleStrategy(WakeSignal),
            };
            telemetry.Attach(_forwarder, _filters);
        }
        catch
        {
            // An incarnation that never started gets no PreRestart or PostStop: its cache and signal are released here.
            _cache.Dispose();
            WakeSignal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The fewest buffers a pool needs for <paramref name="queues"/> queue pairs of <paramref name="receiveQueueSize"/>
    /// receive and <paramref name="transmitQueueSize"/> transmit slots: each queue's share holds its two full rings (a
    /// ring of N slots holds N − 1) and the smallest cache, so no queue can take the buffers another needs to post. With
    /// rings of one size that is 2 × queues × queueSize.
    /// </summary>
    public static int FewestBuffers(int queues, int receiveQueueSize, int transmitQueueSize) =>
        queues * (receiveQueueSize - 1 + transmitQueueSize - 1 + FewestCached);

    /// <summary>
    /// The buffer cache of one of <paramref name="queues"/> queues on a pool of <paramref name="buffers"/>: what its share
    /// (buffers ÷ queues) leaves after its rings hold <paramref name="ringCapacity"/> buffers, at most 8 bursts (and at
    /// least 256, DPDK's mempool cache) and at least <see cref="FewestCached"/>. A cache never holds more than its size, so
    /// the queues together never hold more than the pool and every queue always finds buffers to post.
    /// </summary>
    public static int CacheSize(int buffers, int queues, int ringCapacity, int burst) =>
        Math.Clamp(buffers / Math.Max(1, queues) - ringCapacity, FewestCached, Math.Max(256, burst * 8));

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
                _filters.Publish(_filters.Table.Next(publish.Filters));
                Sender.Tell(new FiltersPublished(_settings.Telemetry.Queue, publish.Filters));
                break;
            case GetQueueStats:
                Sender.Tell(_settings.Telemetry.Snapshot());
                break;
            case TransmitFrames transmit:
                var sent = 0;
                foreach (var frame in transmit.Frames)
                    sent += _forwarder.Transmit(frame) ? 1 : 0;
                Sender.Tell(new FramesTransmitted(Context.Parent.Path[(Context.Parent.Path.LastIndexOf('/') + 1)..], sent, transmit.Frames.Count));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Keeps the queues (and what is posted to them) for the next incarnation; this thread's cache goes home and is released.</summary>
    protected override void PreRestart(Exception reason, object? message)
    {
        _settings.Telemetry.Detach();
        _cache.Dispose();
        WakeSignal.Dispose();
    }

    /// <summary>Ends a capture on the queue, flushes and drains both queues, returning every buffer to the pool, and releases the cache.</summary>
    protected override void PostStop()
    {
        _forwarder.Capture.Close($"queue {_settings.Telemetry.Queue} stopped");
        _settings.Telemetry.Detach();
        try
        {
            _forwarder.Quiesce(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _cache.Dispose();
            WakeSignal.Dispose();
        }
    }
}
