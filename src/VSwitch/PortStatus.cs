namespace PdCluster.VSwitch;

/// <summary>One running VM port: its identity, whether it is initialized, blocked or disabled, its rule count and counters.</summary>
public sealed record PortStatus(PortIdentity Identity, bool Initialized, bool Blocked, bool Disabled, int RuleCount,
    long Inbound, long Outbound, long InboundBlocked, long OutboundBlocked, long RingDrops);
