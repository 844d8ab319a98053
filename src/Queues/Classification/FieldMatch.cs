using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>One header-field condition of a receive filter; it holds only on frames that have the field's <see cref="Header"/>.</summary>
/// <param name="Operand">The mask for <see cref="FieldMatchType.MaskEqual"/> and <see cref="FieldMatchType.AnyBitSet"/>, the upper bound for <see cref="FieldMatchType.InRange"/>.</param>
public readonly record struct FieldMatch(MatchField Field, FieldMatchType Type, UInt128 Value, UInt128 Operand)
{
    /// <summary>The field equals <paramref name="value"/>.</summary>
    public static FieldMatch Equal(MatchField field, UInt128 value) => new(field, FieldMatchType.Equal, value, 0);

    /// <summary>The field's top <paramref name="prefixLength"/> bits equal those of <paramref name="value"/>.</summary>
    public static FieldMatch Prefix(MatchField field, UInt128 value, int prefixLength)
    {
        var bits = FieldSpec.Of(field).Bits;
        if (prefixLength < 0 || prefixLength > bits)
            throw FilterSpecException.For(field, $"prefix length {prefixLength} is outside 0..{bits}.");
        // A shift by 128 is a shift by 0 (the count is taken mod 128), so a full-length prefix takes the whole mask directly.
        var fieldMask = FieldSpec.Of(field).FieldMask;
        var mask = prefixLength == 0 ? UInt128.Zero : prefixLength >= 128 ? fieldMask : fieldMask ^ (fieldMask >> prefixLength);
        return new(field, FieldMatchType.MaskEqual, value, mask);
    }

    /// <summary>The field lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static FieldMatch Range(MatchField field, UInt128 low, UInt128 high) => new(field, FieldMatchType.InRange, low, high);

    /// <summary>Any bit of <paramref name="mask"/> is set in the field.</summary>
    public static FieldMatch AnyBit(MatchField field, UInt128 mask) => new(field, FieldMatchType.AnyBitSet, 0, mask);

    /// <summary>
    /// The header a frame needs for this condition to hold. An address condition needs the header of its family: it
    /// is IPv4 when every address it accepts lies in ::ffff:0:0/96, the form IPv4 addresses take in a key (so
    /// <c>198.18.0.0/15</c> and <c>0.0.0.0/0</c> are IPv4), and IPv6 otherwise (so <c>::/0</c> is any IPv6 address).
    /// </summary>
    public PacketHeaders Header => Field switch
    {
        MatchField.DestinationMac or MatchField.SourceMac or MatchField.EtherType or MatchField.Encapsulation => PacketHeaders.Ethernet,
        MatchField.VlanId or MatchField.VlanPriority => PacketHeaders.Vlan,
        MatchField.IpVersion or MatchField.Protocol or MatchField.TtlIsOne or MatchField.Dscp => PacketHeaders.Ip,
        MatchField.SourceIp or MatchField.DestinationIp => AcceptsOnlyIpv4 ? PacketHeaders.Ipv4 : PacketHeaders.Ipv6,
        MatchField.SourcePort or MatchField.DestinationPort => PacketHeaders.Ports,
        MatchField.TcpFlags => PacketHeaders.Tcp,
        MatchField.IcmpType or MatchField.IcmpCode => PacketHeaders.Icmp,
        MatchField.TenantId => PacketHeaders.Overlay,
        MatchField.InnerDestinationMac or MatchField.InnerSourceMac or MatchField.InnerEtherType => PacketHeaders.InnerEthernet,
        MatchField.InnerSourceIp or MatchField.InnerDestinationIp => AcceptsOnlyIpv4 ? PacketHeaders.InnerIpv4 : PacketHeaders.InnerIpv6,
        MatchField.InnerProtocol => PacketHeaders.InnerIp,
        MatchField.InnerSourcePort or MatchField.InnerDestinationPort => PacketHeaders.InnerPorts,
        _ => throw new ArgumentOutOfRangeException(nameof(Field), Field, "Unknown match field."),
    };

    /// <summary>Whether every value this condition accepts is an IPv4-mapped address.</summary>
    private bool AcceptsOnlyIpv4 => Type switch
    {
        FieldMatchType.Equal => PacketParser.IsIpv4Mapped(Value),
        FieldMatchType.MaskEqual => PacketParser.IsIpv4Mapped(Value) && (Operand | uint.MaxValue) == UInt128.MaxValue,
        FieldMatchType.InRange => PacketParser.IsIpv4Mapped(Value) && PacketParser.IsIpv4Mapped(Operand),
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="key"/> has this condition's <see cref="Header"/> and its field satisfies the condition.
    /// The reference semantics every classifier must agree with.
    /// </summary>
    public bool Matches(in FlowKey key) => key.Has(Header) && FieldHolds(in key);

    /// <summary>
    /// Whether the field's value in <paramref name="key"/> satisfies the condition, headers aside: the rest of
    /// <see cref="Matches"/> for a classifier that has checked the presence of <see cref="Header"/> already.
    /// </summary>
    internal bool FieldHolds(in FlowKey key)
    {
        var v = key.Get(Field);
        return Type switch
        {
            FieldMatchType.Equal => v == Value,
            FieldMatchType.MaskEqual => (v & Operand) == (Value & Operand),
            FieldMatchType.InRange => v >= Value && v <= Operand,
            FieldMatchType.AnyBitSet => (v & Operand) != 0,
            _ => false,
        };
    }

    /// <summary>Throws <see cref="FilterSpecException"/> unless this condition is well-formed for its field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Field))
            throw new FilterSpecException($"Unknown match field {(int)Field}.");
        var spec = FieldSpec.Of(Field);
        var max = spec.FieldMask;
        switch (Type)
        {
            case FieldMatchType.Equal when Value > max:
            case FieldMatchType.MaskEqual when Value > max:
                throw FilterSpecException.For(Field, $"{Value} does not fit in {spec.Bits} bits (0 to {max}).");
            case FieldMatchType.MaskEqual when Operand > max:
                throw FilterSpecException.For(Field, $"mask {Operand} does not fit in {spec.Bits} bits (0 to {max}).");
            case FieldMatchType.InRange when Operand > max:
                throw FilterSpecException.For(Field, $"range end {Operand} does not fit in {spec.Bits} bits (0 to {max}).");
            case FieldMatchType.InRange when Value > Operand:
                throw FilterSpecException.For(Field, $"the range's low end {Format(Field, Value)} is above its high end {Format(Field, Operand)}.");
            case FieldMatchType.AnyBitSet when Field != MatchField.TcpFlags:
                throw FilterSpecException.For(Field, "any-bit-set matching is only for TcpFlags.");
            case FieldMatchType.AnyBitSet when Operand == 0 || Operand > max:
                throw FilterSpecException.For(Field, $"the flag mask must be non-zero and fit in {spec.Bits} bits (got {Operand}).");
        }
        if (!Enum.IsDefined(Type))
            throw FilterSpecException.For(Field, $"unknown match type {(int)Type}.");
    }

    /// <summary>A value of <paramref name="field"/> as operators write it: an IP or MAC address, else a number.</summary>
    public static string Format(MatchField field, UInt128 value)
    {
        switch (field)
        {
            case MatchField.SourceIp or MatchField.DestinationIp or MatchField.InnerSourceIp or MatchField.InnerDestinationIp:
                if (PacketParser.IsIpv4Mapped(value))
                {
                    Span<byte> v4 = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
                    return new IPAddress(v4).ToString();
                }
                Span<byte> v6 = stackalloc byte[16];
                BinaryPrimitives.WriteUInt128BigEndian(v6, value);
                return new IPAddress(v6).ToString();
            case MatchField.SourceMac or MatchField.DestinationMac or MatchField.InnerSourceMac or MatchField.InnerDestinationMac:
                return string.Join(':', Enumerable.Range(0, 6).Select(i => ((ulong)(value >> (40 - 8 * i)) & 0xFF).ToString("x2", CultureInfo.InvariantCulture)));
            default:
                return value.ToString(CultureInfo.InvariantCulture);
        }
    }
}
