namespace PdCluster.Nic.Counters;

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
