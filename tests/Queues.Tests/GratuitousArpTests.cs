using System.Net;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class GratuitousArpTests
{
    [Fact]
    public void An_announcement_is_a_broadcast_arp_request_whose_sender_and_target_are_the_address_and_reads_back()
    {
        var frame = GratuitousArp.Build(0x02_00_00_00_00_0B, IPAddress.Parse("198.18.1.1"));

        Assert.Equal(60, frame.Length);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0, 0x0B, 0x08, 0x06 }, frame[..14]);
        Assert.Equal(new byte[] { 0, 1 }, frame[20..22]);
        Assert.Equal(frame[28..32], frame[38..42]);
        Assert.True(GratuitousArp.TryRead(frame, out var mac, out var address));
        Assert.Equal(0x02_00_00_00_00_0BUL, mac);
        Assert.Equal(0xC6_12_01_01u, address);
    }

    [Fact]
    public void An_ordinary_arp_request_an_ipv6_address_and_other_frames_are_not_announcements()
    {
        var request = new FrameBuilder().Ethernet(0xFFFF_FFFF_FFFF, 0x02_00_00_00_00_01).Arp(0x02_00_00_00_00_01, "198.18.0.1", "198.18.1.1").Build();
        var udp = new FrameBuilder().Ethernet(0x02_00_00_00_00_02, 0x02_00_00_00_00_01).Ipv4("198.18.0.1", "198.18.1.1").Udp(1, 2).Build();

        Assert.False(GratuitousArp.TryRead(request, out _, out _));
        Assert.False(GratuitousArp.TryRead(udp, out _, out _));
        Assert.False(GratuitousArp.TryRead(GratuitousArp.Build(2, IPAddress.Loopback).AsSpan(0, 41), out _, out _));
        Assert.Throws<ArgumentException>(() => GratuitousArp.Build(2, IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Any_bytes_and_any_mutation_of_an_announcement_read_without_throwing_and_an_accepted_one_names_its_own_address()
    {
        var announcement = GratuitousArp.Build(0x02_00_00_00_00_0B, IPAddress.Parse("198.18.1.1"));
        var frames = FrameMutations.Of(announcement);
        Prop.ForAll(frames.ToArbitrary(), frame =>
        {
            if (!GratuitousArp.TryRead(frame, out var mac, out var address))
                return true;
            var arp = frame.AsSpan(14);
            return address == System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(arp[14..]) && address == System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(arp[24..])
                && mac == ((ulong)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(arp[8..]) << 16 | System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(arp[12..]));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }
}
