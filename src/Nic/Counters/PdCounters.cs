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

/// <summary>PD transmit-queue counters; one instance may serve several queues.</summary>
public sealed class TransmitQueueCounters
{
    internal long Packets;
    internal long Bytes;
    internal long Drops;

    /// <summary>Packets put on the wire.</summary>
    public long PacketsTransmitted => Volatile.Read(ref Packets);

    /// <summary>Bytes of those packets.</summary>
    public long BytesTransmitted => Volatile.Read(ref Bytes);

    /// <summary>Packets completed without being sent (link down, no power).</summary>
    public long PacketsDropped => Volatile.Read(ref Drops);
}

/// <summary>PD receive-filter counters: what a filter matched.</summary>
public sealed class FilterCounters
{
    internal long Packets;
    internal long Bytes;

    /// <summary>Packets the filter matched.</summary>
    public long PacketsMatched => Volatile.Read(ref Packets);

    /// <summary>Bytes the filter matched.</summary>
    public long BytesMatched => Volatile.Read(ref Bytes);
}
