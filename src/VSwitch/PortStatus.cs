namespace PdCluster.VSwitch;

/// <summary>One running VM port: its identity, whether it is initialized, blocked or disabled, its rule count and counters.</summary>
public sealed record PortStatus(PortIdentity Identity, bool Initialized, bool Blocked, bool Disabled, int RuleCount,
    long Inbound, long Outbound, long InboundBlocked, long OutboundBlocked, long RingDrops)
{
    /// <summary>The provider the VM's interface opened with on the switch's side (<c>afxdp</c>, <c>afpacket</c>, <c>simulated</c>).</summary>
    public string? Provider { get; init; }

    /// <summary>Why the VM's preferred provider was passed over for <see cref="Provider"/> (null: it was not).</summary>
    public string? ProviderFallback { get; init; }
}
