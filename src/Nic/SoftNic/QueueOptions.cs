using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;

namespace PdCluster.Nic.SoftNic;

/// <summary>How a SoftNic hardware queue is set up (PD's queue parameters).</summary>
/// <param name="Slots">Ring slots, a power of two; the queue holds one less buffer than this.</param>
/// <param name="Headroom">RX: bytes left before the packet in each buffer (at least 32).</param>
/// <param name="DepthThreshold">RX: flag when free depth falls below this; TX: when unsent depth rises above it; 0 = off.</param>
/// <param name="ModerationCount">Completions after arming before the drain notification fires.</param>
public sealed record QueueOptions(
    QueueKind Kind,
    int Slots,
    BufferPool Pool,
    int Headroom = 64,
    int DepthThreshold = 0,
    int ModerationCount = 1,
    ReceiveQueueCounters? ReceiveCounters = null,
    TransmitQueueCounters? TransmitCounters = null);
