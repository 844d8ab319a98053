namespace PdCluster.Nic.Counters;

/// <summary>PD receive-queue counters; one instance may serve several queues. 64-bit, written by the adapter.</summary>
public sealed class ReceiveQueueCounters
{
    internal long Packets;
    internal long Bytes;
    internal long Drops;

    /// <summary>Packets placed into a posted buffer.</summary>
    public long PacketsReceived => Volatile.Read(ref Packets);

    /// <summary>Bytes of those packets (without FCS).</summary>
    public long BytesReceived => Volatile.Read(ref Bytes);

    /// <summary>Packets steered to the queue that found no posted buffer.</summary>
    public long PacketsDropped => Volatile.Read(ref Drops);
}
