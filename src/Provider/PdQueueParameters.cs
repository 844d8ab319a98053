using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;

namespace PdCluster.Provider;

/// <summary>PD's queue parameters.</summary>
/// <param name="QueueSize">Ring slots, a power of two; the queue holds QueueSize − 1 buffers.</param>
/// <param name="Pool">Where the client's buffers live; every buffer posted to the queue comes from it.</param>
/// <param name="ReceiveHeadroom">RX: bytes before the packet in each buffer, at least 32.</param>
/// <param name="Affinity">Preferred processor of the client thread (a hint), or -1.</param>
/// <param name="DepthThreshold">RX: flag when free depth falls below it; TX: when unsent depth rises above it; 0 = off.</param>
/// <param name="ModerationCount">Completions after arming before a drain notification fires.</param>
/// <param name="ModerationInterval">Moderation by time: how long after the first completion the provider may hold back a drain
/// notification (zero: none). Only for providers that advertise <see cref="PdCapabilities.ModerationInterval"/>; a client
/// bounds its own sleep with its idle strategy's longest wait.</param>
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
    TransmitQueueCounters? TransmitCounters = null)
{
    /// <summary>Checks the arguments of <see cref="IPdProvider.AcquireReceiveQueues"/>: receive queues, at least one.</summary>
    internal void CheckAcquire(int count)
    {
        if (Type != PdQueueType.Receive)
            throw new PdException(PdStatus.InvalidParameter, "Acquired RSS queues are receive queues.");
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
    }

    /// <summary>Refuses a second <see cref="IPdProvider.AcquireReceiveQueues"/> while the adapter's RSS queues are held.</summary>
    internal static void CheckNotAcquired(int acquired)
    {
        if (acquired > 0)
            throw new PdException(PdStatus.Busy, "The adapter's RSS queues are already acquired.");
    }
}
