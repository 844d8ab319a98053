namespace PdCluster.Queues.Packets;

/// <summary>
/// The header fields a PD receive filter can match, outer headers first, then the inner headers of a tunnel.
/// Each lives in one of the <see cref="PacketHeaders"/>; a condition on it never matches a frame without that header.
/// </summary>
public enum MatchField : byte
{
    DestinationMac,
    SourceMac,
    EtherType,
    /// <summary>VLAN id of the outermost 802.1Q/802.1ad tag; only tagged frames have one.</summary>
    VlanId,
    /// <summary>802.1p priority of the outermost tag.</summary>
    VlanPriority,
    /// <summary>4 or 6; only IP packets have one.</summary>
    IpVersion,
    /// <summary>IPv6 address, or an IPv4 address in its IPv4-mapped IPv6 form (::ffff:a.b.c.d).</summary>
    SourceIp,
    DestinationIp,
    /// <summary>The IPv4 protocol, or the last IPv6 next header the parser reached (past the extension headers it could walk).</summary>
    Protocol,
    /// <summary>1 when the IPv4 TTL or IPv6 hop limit is one.</summary>
    TtlIsOne,
    Dscp,
    SourcePort,
    DestinationPort,
    TcpFlags,
    IcmpType,
    IcmpCode,
    /// <summary>The <see cref="Packets.Encapsulation"/> of the frame: the tunnel header found, or none.</summary>
    Encapsulation,
    /// <summary>VXLAN VNI or NVGRE VSID (24 bits).</summary>
    TenantId,
    InnerDestinationMac,
    InnerSourceMac,
    InnerEtherType,
    InnerSourceIp,
    InnerDestinationIp,
    InnerProtocol,
    InnerSourcePort,
    InnerDestinationPort,
}
