using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class PacketParserTests
{
    private const ulong MacA = 0x02_00_00_00_00_0A;
    private const ulong MacB = 0x02_00_00_00_00_0B;

    private static PacketInfo Parse(byte[] frame)
    {
        var info = new PacketInfo();
        PacketParser.Parse(frame, ref info);
        return info;
    }

    private static UInt128 V4(string address) => FieldMatchSyntax.Parse(MatchField.SourceIp, address).Value;

    [Fact]
    public void Udp_over_ipv4()
    {
        var info = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2", ttl: 1, dscp: 46).Udp(1234, 53).Build());
        Assert.Equal(ParseDepth.Transport, info.Depth);
        Assert.Equal(ParseError.None, info.Error);
        Assert.Equal(MacB, (ulong)info.Key.Get(MatchField.DestinationMac));
        Assert.Equal(MacA, (ulong)info.Key.Get(MatchField.SourceMac));
        Assert.Equal(0x0800UL, (ulong)info.Key.Get(MatchField.EtherType));
        Assert.Equal(V4("198.18.0.1"), info.Key.Get(MatchField.SourceIp));
        Assert.Equal(V4("198.18.0.2"), info.Key.Get(MatchField.DestinationIp));
        Assert.Equal(17UL, (ulong)info.Key.Get(MatchField.Protocol));
        Assert.Equal(1UL, (ulong)info.Key.Get(MatchField.TtlIsOne));
        Assert.Equal(46UL, (ulong)info.Key.Get(MatchField.Dscp));
        Assert.Equal(1234UL, (ulong)info.Key.Get(MatchField.SourcePort));
        Assert.Equal(53UL, (ulong)info.Key.Get(MatchField.DestinationPort));
        Assert.Equal(14, info.NetworkOffset);
        Assert.Equal(34, info.TransportOffset);
        Assert.Equal(42, info.PayloadOffset);
    }

    [Fact]
    public void Ipv4_options_are_skipped()
    {
        var info = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2", options: new byte[8]).Tcp(1, 80, flags: 0x12).Build());
        Assert.Equal(ParseDepth.Transport, info.Depth);
        Assert.Equal(42, info.TransportOffset);
        Assert.Equal(80UL, (ulong)info.Key.Get(MatchField.DestinationPort));
        Assert.Equal(0x12UL, (ulong)info.Key.Get(MatchField.TcpFlags));
    }

    [Fact]
    public void Vlan_and_qinq_tags()
    {
        var single = Parse(new FrameBuilder().Ethernet(MacB, MacA).Vlan(100, priority: 5).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 2).Build());
        Assert.Equal(100UL, (ulong)single.Key.Get(MatchField.VlanId));
        Assert.Equal(5UL, (ulong)single.Key.Get(MatchField.VlanPriority));
        Assert.Equal(1, single.VlanCount);
        Assert.Equal(ParseDepth.Transport, single.Depth);

        var qinq = Parse(new FrameBuilder().Ethernet(MacB, MacA).Vlan(200, serviceTag: true).Vlan(300).Ipv6("2001:db8::1", "2001:db8::2").Udp(1, 2).Build());
        Assert.Equal(2, qinq.VlanCount);
        Assert.Equal(200UL, (ulong)qinq.Key.Get(MatchField.VlanId));
        Assert.Equal(300, qinq.InnerVlanId);
        Assert.Equal(ParseDepth.Transport, qinq.Depth);
    }

    [Fact]
    public void Ipv6_extension_headers_are_skipped()
    {
        var info = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv6("2001:db8::1", "2001:db8::2", hopLimit: 1, extensionHeaders: [0, 60, 43]).Tcp(5, 443).Build());
        Assert.Equal(ParseDepth.Transport, info.Depth);
        Assert.Equal(6UL, (ulong)info.Key.Get(MatchField.Protocol));
        Assert.Equal(443UL, (ulong)info.Key.Get(MatchField.DestinationPort));
        Assert.Equal(1UL, (ulong)info.Key.Get(MatchField.TtlIsOne));
        Assert.Equal(6UL, (ulong)info.Key.Get(MatchField.IpVersion));
        Assert.Equal(14 + 40 + 24, info.TransportOffset);
    }

    [Fact]
    public void Icmp_and_icmpv6()
    {
        var v4 = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2").Icmp(8, 0).Build());
        Assert.Equal(8UL, (ulong)v4.Key.Get(MatchField.IcmpType));
        var v6 = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv6("2001:db8::1", "2001:db8::2").Icmp(135, 0).Build());
        Assert.Equal(58UL, (ulong)v6.Key.Get(MatchField.Protocol));
        Assert.Equal(135UL, (ulong)v6.Key.Get(MatchField.IcmpType));
    }

    [Fact]
    public void Non_first_fragment_stops_at_network()
    {
        var info = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2", fragmentOffset: 100).Udp(1, 2).Build());
        Assert.Equal(ParseDepth.Network, info.Depth);
        Assert.Equal(ParseError.None, info.Error);
        Assert.Equal(0UL, (ulong)info.Key.Get(MatchField.DestinationPort));
    }

    [Fact]
    public void Vxlan_inner_headers()
    {
        var frame = new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2").Udp(5555, 4789).Vxlan(4242)
            .Ethernet(0x02_00_00_00_01_01, 0x02_00_00_00_01_02).Ipv4("198.19.0.1", "198.19.0.2").Tcp(1000, 22).Build();
        var info = Parse(frame);
        Assert.Equal(Encapsulation.Vxlan, info.Encapsulation);
        Assert.Equal(4242UL, (ulong)info.Key.Get(MatchField.TenantId));
        Assert.Equal(ParseDepth.Transport, info.InnerDepth);
        Assert.Equal(0x02_00_00_00_01_01UL, (ulong)info.Key.Get(MatchField.InnerDestinationMac));
        Assert.Equal(V4("198.19.0.2"), info.Key.Get(MatchField.InnerDestinationIp));
        Assert.Equal(6UL, (ulong)info.Key.Get(MatchField.InnerProtocol));
        Assert.Equal(22UL, (ulong)info.Key.Get(MatchField.InnerDestinationPort));
        Assert.Equal(4789UL, (ulong)info.Key.Get(MatchField.DestinationPort));
    }

    [Fact]
    public void Nvgre_and_gre_and_ip_in_ip()
    {
        var nvgre = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2").Gre(key: 77u << 8)
            .Ethernet(1, 2).Ipv6("2001:db8::1", "2001:db8::2").Udp(1, 9).Build());
        Assert.Equal(Encapsulation.Nvgre, nvgre.Encapsulation);
        Assert.Equal(77UL, (ulong)nvgre.Key.Get(MatchField.TenantId));
        Assert.Equal(9UL, (ulong)nvgre.Key.Get(MatchField.InnerDestinationPort));

        var gre = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2").Gre().Ipv4("198.19.0.1", "198.19.0.9").Udp(1, 7).Build());
        Assert.Equal(Encapsulation.Gre, gre.Encapsulation);
        Assert.Equal(V4("198.19.0.9"), gre.Key.Get(MatchField.InnerDestinationIp));

        var ipip = Parse(new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2").Ipv4("198.19.0.1", "198.19.0.3").Tcp(1, 8).Build());
        Assert.Equal(Encapsulation.IpInIp, ipip.Encapsulation);
        Assert.Equal(8UL, (ulong)ipip.Key.Get(MatchField.InnerDestinationPort));
    }

    [Fact]
    public void Every_truncation_of_a_frame_reports_how_far_it_got()
    {
        var frame = new FrameBuilder().Ethernet(MacB, MacA).Vlan(5).Ipv4("198.18.0.1", "198.18.0.2").Tcp(1, 2).Build();
        for (var length = 0; length < 58; length++)
        {
            var info = Parse(frame[..length]);
            var expected = length switch
            {
                < 18 => ParseDepth.None,
                < 38 => ParseDepth.Link,
                < 58 => ParseDepth.Network,
                _ => ParseDepth.Transport,
            };
            Assert.Equal(expected, info.Depth);
            Assert.Equal(ParseError.Truncated, info.Error);
        }
        Assert.Equal(ParseDepth.Transport, Parse(frame[..58]).Depth);
    }

    [Fact]
    public void Malformed_headers_are_named()
    {
        var frame = new FrameBuilder().Ethernet(MacB, MacA).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 2).Build();
        var badVersion = (byte[])frame.Clone();
        badVersion[14] = 0x65;
        Assert.Equal(ParseError.BadVersion, Parse(badVersion).Error);
        var shortIhl = (byte[])frame.Clone();
        shortIhl[14] = 0x43;
        Assert.Equal(ParseError.BadHeaderLength, Parse(shortIhl).Error);
        var hugeIhl = (byte[])frame.Clone();
        hugeIhl[14] = 0x4F;
        Assert.Equal(ParseError.Truncated, Parse(hugeIhl[..50]).Error);
    }

    [Fact]
    public void Unknown_ethertype_stops_at_link_without_error()
    {
        var info = Parse(new FrameBuilder().Ethernet(MacB, MacA, 0x0806).Payload(28).Build());
        Assert.Equal(ParseDepth.Link, info.Depth);
        Assert.Equal(ParseError.None, info.Error);
        Assert.Equal(0x0806UL, (ulong)info.Key.Get(MatchField.EtherType));
    }
}
