namespace PdCluster.Queues.Packets;

/// <summary>
/// The headers <see cref="PacketParser"/> found complete in a frame, kept in the <see cref="FlowKey"/> beside the
/// fields they hold: a condition on a field never matches a frame that lacks the field's header.
/// </summary>
[Flags]
public enum PacketHeaders : ushort
{
    None = 0,

    /// <summary>The outer Ethernet header with its VLAN tags: the MACs, the EtherType and the encapsulation.</summary>
    Ethernet = 1 << 0,

    /// <summary>An 802.1Q or 802.1ad tag: the VLAN id and priority.</summary>
    Vlan = 1 << 1,

    /// <summary>An IPv4 or IPv6 header: the IP version, protocol, TTL-is-one and DSCP.</summary>
    Ip = 1 << 2,

    /// <summary>An IPv4 header: addresses written in IPv4 form.</summary>
    Ipv4 = 1 << 3,

    /// <summary>An IPv6 header: addresses written in IPv6 form.</summary>
    Ipv6 = 1 << 4,

    /// <summary>A TCP or UDP header: the source and destination ports.</summary>
    Ports = 1 << 5,

    /// <summary>A TCP header: the TCP flags.</summary>
    Tcp = 1 << 6,

    /// <summary>An ICMP or ICMPv6 header: the ICMP type and code.</summary>
    Icmp = 1 << 7,

    /// <summary>A VXLAN or NVGRE header: the tenant id.</summary>
    Overlay = 1 << 8,

    /// <summary>A tunnel's inner Ethernet header: the inner MACs and EtherType.</summary>
    InnerEthernet = 1 << 9,

    /// <summary>A tunnel's inner IPv4 or IPv6 header: the inner protocol.</summary>
    InnerIp = 1 << 10,

    /// <summary>A tunnel's inner IPv4 header: inner addresses written in IPv4 form.</summary>
    InnerIpv4 = 1 << 11,

    /// <summary>A tunnel's inner IPv6 header: inner addresses written in IPv6 form.</summary>
    InnerIpv6 = 1 << 12,

    /// <summary>A tunnel's inner TCP or UDP header: the inner ports.</summary>
    InnerPorts = 1 << 13,
}
