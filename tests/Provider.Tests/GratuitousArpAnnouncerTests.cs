using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>The gratuitous ARP a new owner of a VIP sends: its frame, and a real kernel on the link taking the new MAC from it.</summary>
public sealed class GratuitousArpAnnouncerTests
{
    private const ulong Mac = 0x02_00_00_00_00_02;

    [Fact]
    public void The_frame_is_a_broadcast_ARP_request_whose_sender_and_target_are_the_address()
    {
        var frame = GratuitousArpAnnouncer.Frame(IPAddress.Parse("198.18.1.100"), Mac);
        Assert.Equal(60, frame.Length);
        Assert.Equal(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x02 }, frame[..12]);
        Assert.Equal(EtherType.Arp, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
        var arp = frame.AsSpan(14, 28);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(arp[6..]));
        Assert.Equal(frame[6..12], arp[8..14].ToArray());
        Assert.Equal(new byte[] { 198, 18, 1, 100 }, arp[14..18].ToArray());
        Assert.Equal(new byte[6], arp[18..24].ToArray());
        Assert.Equal(new byte[] { 198, 18, 1, 100 }, arp[24..28].ToArray());
    }

    [Fact]
    public void An_IPv6_address_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => GratuitousArpAnnouncer.Frame(IPAddress.Parse("2001:db8::1"), Mac));
        Assert.Contains("not an IPv4 address", e.Message);
    }

    [VethFact]
    public void A_neighbour_that_had_the_address_at_another_MAC_takes_the_announcers_MAC()
    {
        using var pair = new VethPair();
        // The peer knows the VIP at the old owner's MAC, and (as a router set up for VIP failover) accepts gratuitous ARP.
        Assert.Equal(0, pair.RunInPeer($"sh -c \"echo 1 > /proc/sys/net/ipv4/conf/{pair.PeerInterface}/arp_accept && echo 0 > /proc/sys/net/ipv4/neigh/{pair.PeerInterface}/locktime\"").Code);
        VethPair.Ip($"-n {pair.PeerNamespace} neigh replace 198.18.1.100 lladdr 02:00:00:00:00:99 dev {pair.PeerInterface} nud stale");

        IAddressAnnouncer announcer = new GratuitousArpAnnouncer(pair.DeviceInterface, pair.Device);
        announcer.Announce(IPAddress.Parse("198.18.1.100"));

        var clock = Stopwatch.StartNew();
        string entry;
        while (!(entry = pair.RunInPeer($"ip neigh show 198.18.1.100 dev {pair.PeerInterface}").Output).Contains("02:00:00:00:00:02"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the peer's neighbour entry stayed '{entry.Trim()}'");
            Thread.Sleep(20);
        }
    }

    [VethFact]
    public void An_interface_that_is_gone_is_named_in_the_error()
    {
        using var pair = new VethPair();
        var announcer = new GratuitousArpAnnouncer("pdnone0", pair.Device);
        var e = Assert.Throws<PdException>(() => announcer.Announce(IPAddress.Parse("198.18.1.100")));
        Assert.Contains("pdnone0", e.Message);
    }
}
