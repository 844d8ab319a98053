using PdCluster.Concurrency;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider;

/// <summary>A PD receive or transmit queue. Calls on one queue are serialized by its one client thread.</summary>
public interface IPdQueue : IDrainNotificationSource
{
    /// <summary>Receive or transmit.</summary>
    PdQueueType Type { get; }

    /// <summary>The parameters the queue was allocated with.</summary>
    PdQueueParameters Parameters { get; }

    /// <summary>Most buffers the queue holds at once: one less than its size.</summary>
    int Capacity { get; }

    /// <summary>Buffers posted and not yet drained back.</summary>
    int Outstanding { get; }

    /// <summary>Whether the queue failed (device gone) or was flushed; it only gives buffers back now.</summary>
    bool IsStopped { get; }

    /// <summary>Counters of a receive queue (zero for transmit queues).</summary>
    ReceiveQueueCounters ReceiveCounters { get; }

    /// <summary>Counters of a transmit queue (zero for receive queues).</summary>
    TransmitQueueCounters TransmitCounters { get; }

    /// <summary>PD's PostAndDrainEx: posts from the head of <paramref name="post"/> until it is empty or the ring is full,
    /// then drains up to <c>drain.Length</c> completed buffers. Empty post = drain only; empty drain = post only.</summary>
    PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain);

    /// <summary>PD's QueryQueueDepth: RX buffers still free for incoming packets; TX buffers not yet sent.</summary>
    int QueryQueueDepth();

    /// <summary>PD's FlushQueue: everything pending completes soon; no more posts afterwards.</summary>
    void FlushQueue();
}
