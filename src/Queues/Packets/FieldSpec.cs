using System.Runtime.CompilerServices;

namespace PdCluster.Queues.Packets;

/// <summary>Where a <see cref="MatchField"/>, or the presence bit of one of the <see cref="PacketHeaders"/>, lives in a <see cref="FlowKey"/>.</summary>
public readonly record struct FieldSpec(int Word, int Shift, int Bits)
{
    /// <summary>All ones over the field's width, as a 64-bit value (undefined for 128-bit fields).</summary>
    public ulong WordMask => Bits >= 64 ? ulong.MaxValue : (1UL << Bits) - 1;

    /// <summary>All ones over the field's width.</summary>
    public UInt128 FieldMask => Bits == 128 ? UInt128.MaxValue : ((UInt128)1 << Bits) - 1;

    /// <summary>The layout of <paramref name="field"/>; folds to constants when the field is a constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldSpec Of(MatchField field) => field switch
    {
        MatchField.DestinationMac => new(0, 0, 48),
        MatchField.EtherType => new(0, 48, 16),
        MatchField.SourceMac => new(1, 0, 48),
        MatchField.VlanId => new(1, 48, 12),
        MatchField.VlanPriority => new(1, 60, 3),
        MatchField.SourceIp => new(2, 0, 128),
        MatchField.DestinationIp => new(4, 0, 128),
        MatchField.Protocol => new(6, 0, 8),
        MatchField.TtlIsOne => new(6, 8, 1),
        MatchField.Dscp => new(6, 9, 6),
        MatchField.IpVersion => new(6, 15, 4),
        MatchField.SourcePort => new(6, 19, 16),
        MatchField.DestinationPort => new(6, 35, 16),
        MatchField.TcpFlags => new(6, 51, 8),
        MatchField.IcmpType => new(7, 0, 8),
        MatchField.IcmpCode => new(7, 8, 8),
        MatchField.Encapsulation => new(7, 16, 4),
        MatchField.TenantId => new(7, 20, 24),
        MatchField.InnerEtherType => new(7, 44, 16),
        MatchField.InnerSourceIp => new(8, 0, 128),
        MatchField.InnerDestinationIp => new(10, 0, 128),
        MatchField.InnerProtocol => new(12, 0, 8),
        MatchField.InnerSourcePort => new(12, 8, 16),
        MatchField.InnerDestinationPort => new(12, 24, 16),
        MatchField.InnerDestinationMac => new(13, 0, 48),
        MatchField.InnerSourceMac => new(14, 0, 48),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown match field."),
    };

    /// <summary>
    /// The presence bit of <paramref name="header"/> (a single flag): a spare bit of the word that holds the fields
    /// of that header, so a condition costs the classifier no extra key word. Folds to constants when the header is a constant.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldSpec Of(PacketHeaders header) => header switch
    {
        PacketHeaders.Vlan => new(1, 63, 1),
        PacketHeaders.Ip => new(6, 59, 1),
        PacketHeaders.Ipv4 => new(6, 60, 1),
        PacketHeaders.Ipv6 => new(6, 61, 1),
        PacketHeaders.Ports => new(6, 62, 1),
        PacketHeaders.Tcp => new(6, 63, 1),
        PacketHeaders.Ethernet => new(7, 60, 1),
        PacketHeaders.Icmp => new(7, 61, 1),
        PacketHeaders.Overlay => new(7, 62, 1),
        PacketHeaders.InnerEthernet => new(7, 63, 1),
        PacketHeaders.InnerIp => new(12, 40, 1),
        PacketHeaders.InnerIpv4 => new(12, 41, 1),
        PacketHeaders.InnerIpv6 => new(12, 42, 1),
        PacketHeaders.InnerPorts => new(12, 43, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(header), header, "Not a single header."),
    };
}
