namespace PdCluster.Queues.Packets;

/// <summary>The header fields a PD receive filter can match, outer headers first, then the inner headers of a tunnel.</summary>
public enum MatchField : byte
{
    DestinationMac,
    SourceMac,
    EtherType,
    /// <summary>VLAN id of the outermost 802.1Q/802.1ad tag (0 when untagged).</summary>
    VlanId,
    /// <summary>802.1p priority of the outermost tag.</summary>
    VlanPriority,
    /// <summary>4 or 6; 0 for non-IP frames.</summary>
    IpVersion,
    /// <summary>IPv6 address, or an IPv4 address in its IPv4-mapped IPv6 form (::ffff:a.b.c.d).</summary>
    SourceIp,
    DestinationIp,
    Protocol,
    /// <summary>1 when the IPv4 TTL or IPv6 hop limit is one.</summary>
    TtlIsOne,
    Dscp,
    SourcePort,
    DestinationPort,
    TcpFlags,
    IcmpType,
    IcmpCode,
    /// <summary>The <see cref="Packets.Encapsulation"/> of the frame.</summary>
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
