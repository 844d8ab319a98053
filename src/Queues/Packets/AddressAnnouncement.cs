using System.Net;
using System.Net.Sockets;

namespace PdCluster.Queues.Packets;

/// <summary>
/// The one frame with which a host says an address is now at its MAC: a gratuitous ARP for IPv4
/// (<see cref="GratuitousArp"/>), an unsolicited Neighbor Advertisement for IPv6
/// (<see cref="UnsolicitedNeighborAdvertisement"/>). A team's survivor and a VIP's new owner both send this.
/// </summary>
public static class AddressAnnouncement
{
    /// <summary>The announcement of <paramref name="address"/> at <paramref name="mac"/>.</summary>
    public static byte[] Build(ulong mac, IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => GratuitousArp.Build(mac, address),
        AddressFamily.InterNetworkV6 => UnsolicitedNeighborAdvertisement.Build(mac, address),
        _ => throw new ArgumentException($"{address} is neither an IPv4 nor an IPv6 address.", nameof(address)),
    };
}
