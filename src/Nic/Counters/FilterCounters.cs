namespace PdCluster.Nic.Counters;

/// <summary>PD receive-filter counters: what a filter matched.</summary>
public sealed class FilterCounters
{
    internal long Packets;
    internal long Bytes;

    /// <summary>Set by a provider whose device keeps the counts (an XDP map): pulls them in before a read.</summary>
    internal Action<FilterCounters>? Refresh;

    /// <summary>Packets the filter matched.</summary>
    public long PacketsMatched
    {
        get
        {
            Refresh?.Invoke(this);
            return Volatile.Read(ref Packets);
        }
    }

    /// <summary>Bytes the filter matched.</summary>
    public long BytesMatched
    {
        get
        {
            Refresh?.Invoke(this);
            return Volatile.Read(ref Bytes);
        }
    }
}
