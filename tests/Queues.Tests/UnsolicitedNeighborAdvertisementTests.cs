using System.Buffers.Binary;
using System.Net;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class UnsolicitedNeighborAdvertisementTests
{
    private const ulong Mac = 0x02_00_00_00_00_0B;

    [Fact]
    public void An_announcement_is_an_override_NA_to_all_nodes_with_hop_limit_255_a_target_link_layer_option_and_a_good_checksum()
    {
        var frame = UnsolicitedNeighborAdvertisement.Build(Mac, IPAddress.Parse("2001:2::10"));

        Assert.Equal(86, frame.Length);
        Assert.Equal(new byte[] { 0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 0x0B, 0x86, 0xDD }, frame[..14]);
        var ip = frame.AsSpan(14, 40);
        Assert.Equal(0x60, ip[0] & 0xF0);
        Assert.Equal(32, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
        Assert.Equal((IpProtocol.IcmpV6, (byte)255), (ip[6], ip[7]));
        Assert.Equal(IPAddress.Parse("2001:2::10"), new IPAddress(ip.Slice(8, 16)));
        Assert.Equal(IPAddress.Parse("ff02::1"), new IPAddress(ip.Slice(24, 16)));
        var na = frame.AsSpan(54);
        Assert.Equal((136, 0), (na[0], na[1]));
        // R and S clear, O set.
        Assert.Equal(0x20u << 24, BinaryPrimitives.ReadUInt32BigEndian(na[4..]));
        Assert.Equal(IPAddress.Parse("2001:2::10"), new IPAddress(na.Slice(8, 16)));
        Assert.Equal(new byte[] { 2, 1, 0x02, 0, 0, 0, 0, 0x0B }, na[24..32].ToArray());
        // The ICMPv6 checksum over the pseudo-header (source, destination, length, next header 58) and the message sums to 0xFFFF.
        var pseudo = new byte[40 + 32];
        ip.Slice(8, 32).CopyTo(pseudo);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), 32);
        pseudo[39] = IpProtocol.IcmpV6;
        na.CopyTo(pseudo.AsSpan(40));
        Assert.Equal(0, FrameBuilder.Checksum(pseudo, 0));

        Assert.True(UnsolicitedNeighborAdvertisement.TryRead(frame, out var mac, out var target));
        Assert.Equal((Mac, IPAddress.Parse("2001:2::10")), (mac, target));
    }

    [Fact]
    public void The_one_announcement_is_a_gratuitous_ARP_for_IPv4_and_an_NA_for_IPv6()
    {
        Assert.Equal(GratuitousArp.Build(Mac, IPAddress.Parse("198.18.1.1")), AddressAnnouncement.Build(Mac, IPAddress.Parse("198.18.1.1")));
        Assert.Equal(UnsolicitedNeighborAdvertisement.Build(Mac, IPAddress.Parse("2001:2::1")), AddressAnnouncement.Build(Mac, IPAddress.Parse("2001:2::1")));
        Assert.Throws<ArgumentException>(() => UnsolicitedNeighborAdvertisement.Build(Mac, IPAddress.Parse("198.18.1.1")));
    }

    [Fact]
    public void A_solicited_NA_one_without_override_an_NS_and_other_frames_are_not_announcements()
    {
        var solicited = new FrameBuilder().Ethernet(0x3333_0000_0001, Mac).Ipv6("2001:2::1", "ff02::1", hopLimit: 255).NeighborAdvertisement(Mac, "2001:2::1", solicited: true).Build();
        var weak = new FrameBuilder().Ethernet(0x3333_0000_0001, Mac).Ipv6("2001:2::1", "ff02::1", hopLimit: 255).NeighborAdvertisement(Mac, "2001:2::1", overrideFlag: false).Build();
        var routed = new FrameBuilder().Ethernet(0x3333_0000_0001, Mac).Ipv6("2001:2::1", "ff02::1", hopLimit: 64).NeighborAdvertisement(Mac, "2001:2::1").Build();
        var solicitation = new FrameBuilder().Ethernet(0x3333_0000_0001, Mac).Ipv6("2001:2::1", "ff02::1", hopLimit: 255).Icmp(135, 0).Payload(24).Build();

        foreach (var frame in new[] { solicited, weak, routed, solicitation, GratuitousArp.Build(Mac, IPAddress.Parse("198.18.1.1")), UnsolicitedNeighborAdvertisement.Build(Mac, IPAddress.Parse("2001:2::1"))[..85] })
            Assert.False(UnsolicitedNeighborAdvertisement.TryRead(frame, out _, out _));
    }

    [Fact]
    public void Any_bytes_and_any_mutation_of_an_announcement_read_without_throwing_and_an_accepted_one_names_its_own_target()
    {
        var announcement = UnsolicitedNeighborAdvertisement.Build(Mac, IPAddress.Parse("2001:2::10"));
        var frames = FrameMutations.Of(announcement);
        Prop.ForAll(frames.ToArbitrary(), frame =>
        {
            if (!UnsolicitedNeighborAdvertisement.TryRead(frame, out var mac, out var target))
                return true;
            var na = frame.AsSpan(54);
            return target!.Equals(new IPAddress(na.Slice(8, 16)))
                && mac == ((ulong)BinaryPrimitives.ReadUInt16BigEndian(na[26..]) << 32 | BinaryPrimitives.ReadUInt32BigEndian(na[28..]));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }
}
