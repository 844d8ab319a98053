using System.Diagnostics;
using System.Net;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// The announcement a new owner of an address sends on a Linux interface (a gratuitous ARP for IPv4, an unsolicited
/// neighbor advertisement for IPv6): a real kernel on the link taking the new MAC from it.
/// </summary>
public sealed class AfPacketAnnouncerTests
{
    [VethFact]
    public void A_neighbour_that_had_the_address_at_another_MAC_takes_the_announcers_MAC()
    {
        using var pair = new VethPair();
        // The peer knows the VIP at the old owner's MAC, and (as a router set up for VIP failover) accepts gratuitous ARP.
        Assert.Equal(0, pair.RunInPeer($"sh -c \"echo 1 > /proc/sys/net/ipv4/conf/{pair.PeerInterface}/arp_accept && echo 0 > /proc/sys/net/ipv4/neigh/{pair.PeerInterface}/locktime\"").Code);
        VethPair.Ip($"-n {pair.PeerNamespace} neigh replace 198.18.1.100 lladdr 02:00:00:00:00:99 dev {pair.PeerInterface} nud stale");

        IAddressAnnouncer announcer = new AfPacketAnnouncer(pair.DeviceInterface, pair.Device);
        announcer.Announce(IPAddress.Parse("198.18.1.100"));

        AwaitNeighbour(pair, "198.18.1.100");
    }

    [VethFact]
    public void A_neighbour_that_had_an_IPv6_address_at_another_MAC_takes_the_announcers_MAC_from_the_neighbor_advertisement()
    {
        using var pair = new VethPair();
        // IPv6 on, on both ends (the pair starts without it, and a kernel discards IPv6 on such an interface); the peer knows the address at the old owner's MAC.
        foreach (var (ns, device) in new[] { (pair.DeviceNamespace, pair.DeviceInterface), (pair.PeerNamespace, pair.PeerInterface) })
            Assert.Equal(0, VethPair.Run("ip", $"netns exec {ns} sysctl -qw net.ipv6.conf.{device}.disable_ipv6=0").Code);
        AwaitIpv6Ready(pair);
        VethPair.Ip($"-n {pair.PeerNamespace} -6 neigh replace 2001:2::100 lladdr 02:00:00:00:00:99 dev {pair.PeerInterface} nud stale");
        var before = VethPair.Snmp6(pair.Peer, "Icmp6InNeighborAdvertisements");

        IAddressAnnouncer announcer = new AfPacketAnnouncer(pair.DeviceInterface, pair.Device);
        announcer.Announce(IPAddress.Parse("2001:2::100"));

        AwaitNeighbour(pair, "2001:2::100");
        // The kernel counted it as a neighbor advertisement, and its checksum was good (no ICMPv6 input error).
        Assert.True(VethPair.Snmp6(pair.Peer, "Icmp6InNeighborAdvertisements") > before);
        Assert.Equal(0, VethPair.Snmp6(pair.Peer, "Icmp6InCsumErrors"));
    }

    [VethFact]
    public void An_interface_that_is_gone_is_named_in_the_error()
    {
        using var pair = new VethPair();
        var announcer = new AfPacketAnnouncer("pdnone0", pair.Device);
        var e = Assert.Throws<PdException>(() => announcer.Announce(IPAddress.Parse("198.18.1.100")));
        Assert.Contains("pdnone0", e.Message);
    }

    /// <summary>
    /// Waits until IPv6 on the peer's end is settled (its link-local address has passed duplicate address detection):
    /// just after IPv6 is turned on, the kernel still discards what arrives.
    /// </summary>
    private static void AwaitIpv6Ready(VethPair pair)
    {
        var clock = Stopwatch.StartNew();
        string addresses;
        while (!(addresses = pair.RunInPeer($"ip -6 addr show dev {pair.PeerInterface} scope link").Output).Contains("fe80::") || addresses.Contains("tentative"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"IPv6 on the peer did not settle: '{addresses.Trim()}'");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits until the peer's neighbour entry for <paramref name="address"/> names the device's MAC.</summary>
    private static void AwaitNeighbour(VethPair pair, string address)
    {
        var clock = Stopwatch.StartNew();
        string entry;
        while (!(entry = pair.RunInPeer($"ip neigh show {address} dev {pair.PeerInterface}").Output).Contains(VethPair.Mac(VethPair.DeviceMac)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the peer's neighbour entry stayed '{entry.Trim()}'");
            Thread.Sleep(20);
        }
    }
}
