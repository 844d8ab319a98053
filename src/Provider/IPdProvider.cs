using PdCluster.Nic.Adapters;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Queues.Idle;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider;

/// <summary>
/// A PacketDirect provider on one adapter (PD's PDPI): passive, it never calls the client; the client allocates
/// queues, sets receive filters and polls. Disposing closes the provider (PD's teardown: clear filters, release RSS,
/// stop every queue; buffers still in a queue can be drained afterwards).
/// </summary>
public interface IPdProvider : IDisposable
{
    /// <summary>The adapter this provider runs on.</summary>
    AdapterInfo Adapter { get; }

    /// <summary>What the provider supports.</summary>
    PdCapabilities Capabilities { get; }

    /// <summary>PD's AllocateQueue.</summary>
    IPdQueue AllocateQueue(PdQueueParameters parameters);

    /// <summary>PD's FreeQueue: refused for a queue still holding buffers or targeted by a filter.</summary>
    void FreeQueue(IPdQueue queue);

    /// <summary>PD's AcquireReceiveQueues: takes over the adapter's RSS; all traffic no filter matches now comes to these queues.</summary>
    IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count);

    /// <summary>PD's ReleaseReceiveQueues: gives RSS back to the OS and frees the acquired queues (flush and drain them first).</summary>
    void ReleaseReceiveQueues();

    /// <summary>PD's SetReceiveFilter: steers matching packets to the target queue, before RSS.</summary>
    PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters);

    /// <summary>PD's ClearReceiveFilter: once it returns, no new packet matches the filter.</summary>
    void ClearReceiveFilter(PdReceiveFilter filter);
}

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

/// <summary>Receive or transmit.</summary>
public enum PdQueueType
{
    Receive,
    Transmit,
}

/// <summary>PD's queue parameters.</summary>
/// <param name="QueueSize">Ring slots, a power of two; the queue holds QueueSize − 1 buffers.</param>
/// <param name="Pool">Where the client's buffers live; every buffer posted to the queue comes from it.</param>
/// <param name="ReceiveHeadroom">RX: bytes before the packet in each buffer, at least 32.</param>
/// <param name="Affinity">Preferred processor of the client thread (a hint), or -1.</param>
/// <param name="DepthThreshold">RX: flag when free depth falls below it; TX: when unsent depth rises above it; 0 = off.</param>
/// <param name="ModerationCount">Completions after arming before a drain notification fires.</param>
/// <param name="ModerationInterval">Longest a waiting client sleeps with a notification armed (moderation by time).</param>
public sealed record PdQueueParameters(
    PdQueueType Type,
    int QueueSize,
    BufferPool Pool,
    int ReceiveHeadroom = 64,
    int Affinity = -1,
    int TrafficClassId = 0,
    int MaximumPartialBufferCount = 1,
    int DepthThreshold = 0,
    int ModerationCount = 1,
    TimeSpan ModerationInterval = default,
    ReceiveQueueCounters? ReceiveCounters = null,
    TransmitQueueCounters? TransmitCounters = null);

/// <summary>PD's receive filter parameters. All <paramref name="Matches"/> must hold; lower <paramref name="Priority"/> applies first.</summary>
public sealed record ReceiveFilterParameters(
    IReadOnlyList<FieldMatch> Matches,
    IPdQueue TargetReceiveQueue,
    int Priority = 0,
    ulong RxFilterContext = 0,
    FilterCounters? Counters = null);

/// <summary>A receive filter that is set: the handle to clear it and its counters.</summary>
public sealed record PdReceiveFilter(int Id, ReceiveFilterParameters Parameters, FilterCounters Counters);

/// <summary>What a provider advertises.</summary>
public sealed record PdCapabilities(
    int MaxReceiveQueues,
    int MaxTransmitQueues,
    int MaxQueueSize,
    int MaxPartialBufferCount,
    int FilterContextBits,
    IReadOnlyList<MatchField> SupportedMatchFields,
    IReadOnlyList<FieldMatchType> SupportedMatchTypes,
    bool FilterCounters,
    bool DrainNotification,
    bool ModerationInterval,
    bool ModerationCount);

/// <summary>A PD call was refused; <see cref="Status"/> says why in PD's terms.</summary>
public sealed class PdException(PdStatus status, string message) : InvalidOperationException(message)
{
    /// <summary>Why the call was refused.</summary>
    public PdStatus Status { get; } = status;
}

/// <summary>Reasons a PD call is refused.</summary>
public enum PdStatus
{
    InvalidParameter,
    NotSupported,
    /// <summary>The object is in use: a queue that still holds buffers or is targeted by a filter.</summary>
    Busy,
    /// <summary>The device is gone.</summary>
    DeviceRemoved,
    /// <summary>No queue of that kind is left.</summary>
    InsufficientResources,
}
