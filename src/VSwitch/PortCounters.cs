namespace PdCluster.VSwitch;

/// <summary>A port's packet counts, written by the port's thread and read by anyone.</summary>
public sealed class PortCounters
{
    private long _inbound;
    private long _outbound;
    private long _inboundBlocked;
    private long _outboundBlocked;
    private long _ringDrops;

    /// <summary>Frames delivered to the VM.</summary>
    public long Inbound => Volatile.Read(ref _inbound);

    /// <summary>Frames the VM sent that entered the switch.</summary>
    public long Outbound => Volatile.Read(ref _outbound);

    /// <summary>Frames the policy kept from the VM.</summary>
    public long InboundBlocked => Volatile.Read(ref _inboundBlocked);

    /// <summary>Frames from the VM the policy kept out of the switch.</summary>
    public long OutboundBlocked => Volatile.Read(ref _outboundBlocked);

    /// <summary>Frames lost to a full ring or queue on the way.</summary>
    public long RingDrops => Volatile.Read(ref _ringDrops);

    private static void Add(ref long counter, int n) => Volatile.Write(ref counter, counter + n);

    internal void AddInbound(int n) => Add(ref _inbound, n);

    internal void AddOutbound(int n) => Add(ref _outbound, n);

    internal void AddInboundBlocked(int n) => Add(ref _inboundBlocked, n);

    internal void AddOutboundBlocked(int n) => Add(ref _outboundBlocked, n);

    internal void AddRingDrops(int n) => Interlocked.Add(ref _ringDrops, n);
}
