using System.Net;
using System.Net.Sockets;

namespace PdCluster.Node.Configuration;

/// <summary>
/// An address a node may announce as its own (a team member's, a VIP): IPv4 in dotted quad, or IPv6, neither
/// multicast, broadcast, unspecified nor loopback, and without an IPv6 scope.
/// </summary>
internal static class UnicastAddress
{
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        if (!IPAddress.TryParse(text, out address) || IPAddress.IsLoopback(address))
            return false;
        var ok = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => text.Split('.').Length == 4 && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Broadcast) && address.GetAddressBytes()[0] is < 224,
            AddressFamily.InterNetworkV6 => !text.Contains('%') && !address.IsIPv6Multicast && !address.Equals(IPAddress.IPv6Any) && !address.IsIPv4MappedToIPv6,
            _ => false,
        };
        if (!ok)
            address = null;
        return ok;
    }
}
