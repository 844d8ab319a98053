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
    /// <summary>Parses <paramref name="text"/> as a condition on <paramref name="field"/>; throws <see cref="FilterSpecException"/> with the reason.</summary>
    public static FieldMatch Parse(MatchField field, string text)
    {
        var t = text.Trim();
        if (t.Length == 0)
            throw new FilterSpecException($"{field}: empty value.");

        if (field == MatchField.TcpFlags)
            return FieldMatch.AnyBit(field, ParseTcpFlags(t));

        var dash = FindRangeDash(t);
        if (dash > 0)
        {
            var low = ParseValue(field, t[..dash]);
            var high = ParseValue(field, t[(dash + 1)..]);
            var range = FieldMatch.Range(field, low, high);
            range.Validate();
            return range;
        }

        var slash = t.IndexOf('/');
        FieldMatch match;
        if (slash < 0)
        {
            match = FieldMatch.Equal(field, ParseValue(field, t));
        }
        else
        {
            var value = ParseValue(field, t[..slash]);
            var suffix = t[(slash + 1)..];
            if (IsAddress(field) || IsMac(field))
            {
                if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                    throw new FilterSpecException($"{field}: '{suffix}' is not a prefix length.");
                var ipv4 = IsAddress(field) && t[..slash].Contains('.');
                if (ipv4 && length > 32)
                    throw new FilterSpecException($"{field}: IPv4 prefix length {length} is above 32.");
                match = FieldMatch.Prefix(field, value, ipv4 ? length + 96 : length);
            }
            else
            {
                match = new FieldMatch(field, FieldMatchType.MaskEqual, value, ParseNumber(field, suffix));
            }
        }
        match.Validate();
        return match;
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
            if (!IPAddress.TryParse(text, out var address))
                throw new FilterSpecException($"{field}: '{text}' is not an IP address.");
            return address.AddressFamily == AddressFamily.InterNetwork
                ? PacketParser.MapIpv4(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()))
                : System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes());
        }
        if (IsMac(field))
        {
            var hex = text.Replace(":", "").Replace("-", "");
            if (hex.Length != 12 || !ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mac))
                throw new FilterSpecException($"{field}: '{text}' is not a MAC address.");
            return mac;
        }
        var named = (field, text.ToLowerInvariant()) switch
        {
            (MatchField.Protocol or MatchField.InnerProtocol, "icmp") => IpProtocol.Icmp,
            (MatchField.Protocol or MatchField.InnerProtocol, "tcp") => IpProtocol.Tcp,
            (MatchField.Protocol or MatchField.InnerProtocol, "udp") => IpProtocol.Udp,
            (MatchField.Protocol or MatchField.InnerProtocol, "gre") => IpProtocol.Gre,
            (MatchField.Protocol or MatchField.InnerProtocol, "icmpv6") => IpProtocol.IcmpV6,
            (MatchField.EtherType or MatchField.InnerEtherType, "ipv4") => EtherType.Ipv4,
            (MatchField.EtherType or MatchField.InnerEtherType, "arp") => EtherType.Arp,
            (MatchField.EtherType or MatchField.InnerEtherType, "ipv6") => EtherType.Ipv6,
            (MatchField.EtherType or MatchField.InnerEtherType, "lldp") => EtherType.Lldp,
            (MatchField.Encapsulation, "none") => (int)Encapsulation.None,
            (MatchField.Encapsulation, "ipip") => (int)Encapsulation.IpInIp,
            (MatchField.Encapsulation, "gre") => (int)Encapsulation.Gre,
            (MatchField.Encapsulation, "nvgre") => (int)Encapsulation.Nvgre,
            (MatchField.Encapsulation, "vxlan") => (int)Encapsulation.Vxlan,
            (MatchField.TtlIsOne, "true") => 1,
            (MatchField.TtlIsOne, "false") => 0,
            _ => -1,
        };
        return named >= 0 ? (UInt128)named : ParseNumber(field, text);
    }

    private static UInt128 ParseNumber(MatchField field, string text)
    {
        text = text.Trim();
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? UInt128.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            : UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok)
            throw new FilterSpecException($"{field}: '{text}' is not a number.");
        return value;
    }

    private static UInt128 ParseTcpFlags(string text)
    {
        UInt128 mask = 0;
        foreach (var part in text.Split('|', ',', '+'))
        {
            mask |= part.Trim().ToLowerInvariant() switch
            {
                "fin" => 0x01,
                "syn" => 0x02,
                "rst" => 0x04,
                "psh" => 0x08,
                "ack" => 0x10,
                "urg" => 0x20,
                "ece" => 0x40,
                "cwr" => 0x80,
                var other => ParseNumber(MatchField.TcpFlags, other),
            };
        }
        return mask;
    }

    private static bool IsAddress(MatchField f) =>
        f is MatchField.SourceIp or MatchField.DestinationIp or MatchField.InnerSourceIp or MatchField.InnerDestinationIp;

    private static bool IsMac(MatchField f) =>
        f is MatchField.SourceMac or MatchField.DestinationMac or MatchField.InnerSourceMac or MatchField.InnerDestinationMac;
}
