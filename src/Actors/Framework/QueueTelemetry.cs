using System.Diagnostics;
using PdCluster.Provider;
using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Live counters of one queue pair for readers on other threads (metrics, status): the PD queue counters plus the
/// pipeline's, carried across restarts of the queue actor. Values are read without locks and may lag a burst.
/// </summary>
public sealed class QueueTelemetry(int queue, IPdQueue receive, IPdQueue transmit)
{
    private volatile PdForwarder? _forwarder;
    private volatile FilterStage? _filters;
    private long _baseReceived;
    private long _baseForwarded;
    private long _baseDropped;
    private long _baseSteeredIn;
    private long _baseHandedToOs;
    private long _baseBusyTicks;

    /// <summary>Queue number.</summary>
    public int Queue { get; } = queue;

    /// <summary>The receive queue.</summary>
    public IPdQueue Receive { get; } = receive;

    /// <summary>The transmit queue.</summary>
    public IPdQueue Transmit { get; } = transmit;

    /// <summary>Packets drained from RX.</summary>
    public long Received => Volatile.Read(ref _baseReceived) + (_forwarder?.Received ?? 0);

    /// <summary>Packets posted to TX.</summary>
    public long Forwarded => Volatile.Read(ref _baseForwarded) + (_forwarder?.Forwarded ?? 0);

    /// <summary>Packets the pipeline dropped.</summary>
    public long Dropped => Volatile.Read(ref _baseDropped) + (_forwarder?.Dropped ?? 0);

    /// <summary>Packets other queues steered into this queue's pipeline.</summary>
    public long SteeredIn => Volatile.Read(ref _baseSteeredIn) + (_forwarder?.SteeredIn ?? 0);

    /// <summary>Packets the pipeline handed back to the OS path.</summary>
    public long HandedToOs => Volatile.Read(ref _baseHandedToOs) + (_forwarder?.HandedToOs ?? 0);

    /// <summary>Time the queue's core spent in cycles that found work (see <see cref="PdForwarder.BusyTicks"/>).</summary>
    public TimeSpan Busy => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _baseBusyTicks) + (_forwarder?.BusyTicks ?? 0));

    /// <summary>The filter table in force, if the queue runs.</summary>
    public FilterTable? Filters => _filters?.Table;

    /// <summary>A snapshot.</summary>
    public QueueStats Snapshot()
    {
        var table = Filters;
        var hits = table is null ? new Dictionary<string, long>() : table.Specs.Select((s, i) => (s.Id, table.Hits(i))).ToDictionary();
        return new QueueStats(Queue, Received, Forwarded, Dropped, Receive.ReceiveCounters.PacketsDropped, SteeredIn, HandedToOs, hits);
    }

    internal void Attach(PdForwarder forwarder, FilterStage filters)
    {
        _forwarder = forwarder;
        _filters = filters;
    }

    internal void Detach()
    {
        if (_forwarder is { } f)
        {
            Interlocked.Add(ref _baseReceived, f.Received);
            Interlocked.Add(ref _baseForwarded, f.Forwarded);
            Interlocked.Add(ref _baseDropped, f.Dropped);
            Interlocked.Add(ref _baseSteeredIn, f.SteeredIn);
            Interlocked.Add(ref _baseHandedToOs, f.HandedToOs);
            Interlocked.Add(ref _baseBusyTicks, f.BusyTicks);
        }
        _forwarder = null;
        _filters = null;
    }
}
