using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// Reads a field condition written the way operators write them: <c>198.18.0.0/15</c>, <c>2001:db8::1</c>,
/// <c>1000-2000</c>, <c>0x0800</c>, <c>tcp</c>, <c>02:00:00:00:00:01</c>, <c>syn|ack</c> (TCP flags: any of),
/// <c>vxlan</c>, or <c>value/mask</c> for numbers.
/// </summary>
public static class FieldMatchSyntax
{
    private static readonly (string Name, int Value)[] Protocols =
        [("icmp", IpProtocol.Icmp), ("tcp", IpProtocol.Tcp), ("udp", IpProtocol.Udp), ("gre", IpProtocol.Gre), ("icmpv6", IpProtocol.IcmpV6)];

    private static readonly (string Name, int Value)[] EtherTypes =
        [("ipv4", EtherType.Ipv4), ("arp", EtherType.Arp), ("ipv6", EtherType.Ipv6), ("lldp", EtherType.Lldp)];

    private static readonly (string Name, int Value)[] Encapsulations =
        [("none", (int)Encapsulation.None), ("ipip", (int)Encapsulation.IpInIp), ("gre", (int)Encapsulation.Gre), ("nvgre", (int)Encapsulation.Nvgre), ("vxlan", (int)Encapsulation.Vxlan)];

    private static readonly (string Name, int Value)[] Booleans = [("true", 1), ("false", 0)];

    private static readonly (string Name, int Value)[] TcpFlags =
        [("fin", 0x01), ("syn", 0x02), ("rst", 0x04), ("psh", 0x08), ("ack", 0x10), ("urg", 0x20), ("ece", 0x40), ("cwr", 0x80)];

    /// <summary>Parses <paramref name="text"/> as a condition on <paramref name="field"/>; throws <see cref="FilterSpecException"/> with the reason.</summary>
    public static FieldMatch Parse(MatchField field, string text)
    {
        var match = ParseUnchecked(field, text.Trim());
        match.Validate();
        return match;
    }

    private static FieldMatch ParseUnchecked(MatchField field, string t)
    {
        if (t.Length == 0)
            throw FilterSpecException.For(field, "empty value.");

        if (field == MatchField.TcpFlags)
            return FieldMatch.AnyBit(field, ParseTcpFlags(t));

        var dash = FindRangeDash(t);
        if (dash > 0)
        {
            if (IsAddress(field) && t[..dash].Contains(':') != t[(dash + 1)..].Contains(':'))
                throw FilterSpecException.For(field, $"'{t}' mixes an IPv4 and an IPv6 address; a range has one family.");
            return FieldMatch.Range(field, ParseValue(field, t[..dash]), ParseValue(field, t[(dash + 1)..]));
        }

        var slash = t.IndexOf('/');
        if (slash < 0)
            return FieldMatch.Equal(field, ParseValue(field, t));

        var value = ParseValue(field, t[..slash]);
        var suffix = t[(slash + 1)..];
        if (!IsAddress(field) && !IsMac(field))
            return new FieldMatch(field, FieldMatchType.MaskEqual, value, ParseNumber(field, suffix));
        if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            throw FilterSpecException.For(field, $"'{suffix}' is not a prefix length.");
        var ipv4 = IsAddress(field) && !t[..slash].Contains(':');
        if (ipv4 && length > 32)
            throw FilterSpecException.For(field, $"IPv4 prefix length {length} is above 32.");
        return FieldMatch.Prefix(field, value, ipv4 ? length + 96 : length);
    }

    private static bool IsDottedQuad(string text)
    {
        var octets = text.Split('.');
        return octets.Length == 4 && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit)
            && (o.Length == 1 || o[0] != '0') && int.Parse(o, CultureInfo.InvariantCulture) <= 255);
    }

    private static int FindRangeDash(string t)
    {
        // A MAC written with dashes (aa-bb-...) is not a range.
        var dash = t.IndexOf('-');
        return dash > 0 && t.Count(c => c == '-') == 1 ? dash : -1;
    }

    private static UInt128 ParseValue(MatchField field, string text)
    {
        text = text.Trim();
        if (IsAddress(field))
        {
            // Only the forms an operator means: four decimal octets, or IPv6 without a zone. IPAddress would also take
            // octal (010.0.0.1 is 8.0.0.1), short forms (192.168.1) and plain numbers.
            if (!(text.Contains(':') ? !text.Contains('%') : IsDottedQuad(text)) || !IPAddress.TryParse(text, out var address))
                throw FilterSpecException.For(field, $"'{text}' is not an IP address (four decimal octets like 198.18.0.1, or IPv6 like 2001:db8::1).");
            return address.AddressFamily == AddressFamily.InterNetwork
                ? PacketParser.MapIpv4(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()))
                : System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes());
        }
        if (IsMac(field))
        {
            var hex = text.Replace(":", "").Replace("-", "");
            if (hex.Length != 12 || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mac))
                throw FilterSpecException.For(field, $"'{text}' is not a MAC address (six octets in hex, like 02:00:00:00:00:01).");
            return mac;
        }
        var names = NamesOf(field);
        foreach (var (name, value) in names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return (UInt128)value;
        }
        if (names.Length > 0 && !TryParseNumber(text, out _))
            throw FilterSpecException.For(field, $"'{text}' is not one of {string.Join(", ", names.Select(n => n.Name))} or a number.");
        return ParseNumber(field, text);
    }

    private static (string Name, int Value)[] NamesOf(MatchField field) => field switch
    {
        MatchField.Protocol or MatchField.InnerProtocol => Protocols,
        MatchField.EtherType or MatchField.InnerEtherType => EtherTypes,
        MatchField.Encapsulation => Encapsulations,
        MatchField.TtlIsOne => Booleans,
        _ => [],
    };

    private static UInt128 ParseNumber(MatchField field, string text) =>
        TryParseNumber(text.Trim(), out var value) ? value : throw FilterSpecException.For(field, $"'{text.Trim()}' is not a number.");

    private static bool TryParseNumber(string text, out UInt128 value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? UInt128.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static UInt128 ParseTcpFlags(string text)
    {
        UInt128 mask = 0;
        foreach (var part in text.Split('|', ',', '+'))
        {
            var flag = part.Trim();
            var named = Array.FindIndex(TcpFlags, f => string.Equals(f.Name, flag, StringComparison.OrdinalIgnoreCase));
            if (named >= 0)
                mask |= (UInt128)TcpFlags[named].Value;
            else if (TryParseNumber(flag, out var number))
                mask |= number;
            else
                throw FilterSpecException.For(MatchField.TcpFlags, $"'{flag}' is not a TCP flag ({string.Join(", ", TcpFlags.Select(f => f.Name))}) or a number.");
        }
        return mask;
    }

    private static bool IsAddress(MatchField f) =>
        f is MatchField.SourceIp or MatchField.DestinationIp or MatchField.InnerSourceIp or MatchField.InnerDestinationIp;

    private static bool IsMac(MatchField f) =>
        f is MatchField.SourceMac or MatchField.DestinationMac or MatchField.InnerSourceMac or MatchField.InnerDestinationMac;
}
