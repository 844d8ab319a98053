using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>An IPv4 address with an optional port (-1: none), as NAT rewrites it.</summary>
internal readonly record struct Ipv4Endpoint(uint Address, int Port)
{
    public bool HasPort => Port >= 0;

    /// <summary>Reads <c>a.b.c.d</c> or <c>a.b.c.d:port</c> with the filter syntax's address and port rules.</summary>
    public static Ipv4Endpoint Parse(string text, Func<string, Exception> fail)
    {
        var colon = text.IndexOf(':');
        var address = colon < 0 ? text : text[..colon];
        if (address.Contains('/') || address.Contains('-') || text.Count(c => c == ':') > 1)
            throw fail($"'{text}' is not an IPv4 address with an optional port, like 198.18.0.10:80 (NAT rewrites IPv4 only).");
        var ip = Single(MatchField.DestinationIp, address, fail);
        if (!PacketParser.IsIpv4Mapped(ip))
            throw fail($"'{address}' is not an IPv4 address (NAT rewrites IPv4 only).");
        var port = colon < 0 ? -1 : (int)Single(MatchField.DestinationPort, text[(colon + 1)..], fail);
        return new((uint)ip, port);
    }

    private static UInt128 Single(MatchField field, string text, Func<string, Exception> fail)
    {
        FieldMatch match;
        try
        {
            match = FieldMatchSyntax.Parse(field, text);
        }
        catch (FilterSpecException e)
        {
            throw fail(e.Problem);
        }
        return match.Type == FieldMatchType.Equal ? match.Value : throw fail($"'{text}' must be a single {(field == MatchField.DestinationPort ? "port" : "address")}, not a range or prefix.");
    }
}
