using System.Net;
using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// Conditions of a filter document that can never hold together, refused as the document is read: an IPv4-mapped
/// IPv6 address (<c>::ffff:198.18.0.1</c>, which an operator means as the IPv4 address and no IPv6 packet carries),
/// and ICMP of one IP family with an address of the other (<c>protocol=icmpv6</c> with an IPv4 address).
/// </summary>
internal static class FamilyConflicts
{
    private static readonly (MatchField Protocol, MatchField[] Addresses)[] Layers =
    [
        (MatchField.Protocol, [MatchField.SourceIp, MatchField.DestinationIp]),
        (MatchField.InnerProtocol, [MatchField.InnerSourceIp, MatchField.InnerDestinationIp]),
    ];

    /// <summary>The problem with an address condition's text written as an IPv4-mapped IPv6 address, or null.</summary>
    public static string? MappedAddress(string text)
    {
        foreach (var part in text.Split('-', '/'))
        {
            var address = part.Trim();
            if (address.Contains(':') && IPAddress.TryParse(address, out var ip) && ip.IsIPv4MappedToIPv6)
                return $"'{address}' is an IPv4-mapped IPv6 address, which no IPv6 packet carries; write the IPv4 address ({ip.MapToIPv4()}) to match IPv4 packets.";
        }
        return null;
    }

    /// <summary>
    /// The first ICMP condition whose family no address condition beside it shares: its field and the problem, or
    /// null. <paramref name="keys"/> names each field as the document wrote it.
    /// </summary>
    public static (MatchField Field, string Problem)? Icmp(IReadOnlyList<FieldMatch> matches, IReadOnlyDictionary<MatchField, string> keys)
    {
        foreach (var (protocolField, addressFields) in Layers)
        {
            var protocol = matches.Where(m => m.Field == protocolField && m.Type == FieldMatchType.Equal).Select(m => (UInt128?)m.Value).FirstOrDefault();
            var wanted = protocol == IpProtocol.Icmp ? PacketHeaders.Ipv4 : protocol == IpProtocol.IcmpV6 ? PacketHeaders.Ipv6 : (PacketHeaders?)null;
            if (wanted is null)
                continue;
            foreach (var address in matches.Where(m => addressFields.Contains(m.Field)))
            {
                if (Family(address.Header) != wanted)
                {
                    var (icmp, other) = wanted == PacketHeaders.Ipv4 ? ("icmp (IPv4's ICMP)", "an IPv6") : ("icmpv6 (IPv6's ICMP)", "an IPv4");
                    return (protocolField, $"{icmp} with match.{keys[address.Field]} {other} address can never match; use {(wanted == PacketHeaders.Ipv4 ? "icmpv6" : "icmp")} or an address of the other family.");
                }
            }
        }
        return null;
    }

    private static PacketHeaders Family(PacketHeaders header) => header switch
    {
        PacketHeaders.InnerIpv4 => PacketHeaders.Ipv4,
        PacketHeaders.InnerIpv6 => PacketHeaders.Ipv6,
        _ => header,
    };
}
