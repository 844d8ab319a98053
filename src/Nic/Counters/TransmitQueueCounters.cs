namespace PdCluster.Nic.Counters;

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
