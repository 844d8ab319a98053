namespace PdCluster.Queues.Packets;

/// <summary>The EtherType values the parser, the frame builder and filter syntax know, by their IEEE names.</summary>
public static class EtherType
{
    /// <summary>Internet Protocol version 4.</summary>
    public const ushort Ipv4 = 0x0800;

    /// <summary>Address Resolution Protocol.</summary>
    public const ushort Arp = 0x0806;

    /// <summary>Reverse Address Resolution Protocol (RFC 903).</summary>
    public const ushort ReverseArp = 0x8035;

    /// <summary>IEEE 802.1Q customer VLAN tag (C-tag).</summary>
    public const ushort Vlan = 0x8100;

    /// <summary>Internet Protocol version 6.</summary>
    public const ushort Ipv6 = 0x86DD;

    /// <summary>IEEE 802.1ad service VLAN tag (S-tag) of a QinQ frame.</summary>
    public const ushort ServiceVlan = 0x88A8;

    /// <summary>IEEE 802 local experimental EtherType 1: the frame builder's payload type when no other layer follows.</summary>
    public const ushort LocalExperimental = 0x88B5;

    /// <summary>Link Layer Discovery Protocol.</summary>
    public const ushort Lldp = 0x88CC;

    /// <summary>The pre-standard QinQ outer tag some switches still send.</summary>
    public const ushort LegacyServiceVlan = 0x9100;

    /// <summary>Transparent Ethernet Bridging: the GRE protocol type of an Ethernet frame inside GRE (NVGRE).</summary>
    public const ushort TransparentEthernetBridging = 0x6558;
}
