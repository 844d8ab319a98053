using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

/// <summary>A condition on a header the frame does not have never matches, even one every value of the field would satisfy.</summary>
public sealed class AbsentHeaderTests
{
    private static readonly byte[] Runt = new byte[13];
    private static readonly byte[] Arp = new FrameBuilder().Ethernet(2, 1, EtherType.Arp).Payload(28).Build();
    private static readonly byte[] Udp4 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(0, 0).Build();
    private static readonly byte[] Tcp4 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Tcp(0, 0, flags: 0).Build();
    private static readonly byte[] Icmp4 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Icmp(0, 0).Build();
    private static readonly byte[] Udp6 = new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2").Udp(1, 2).Build();
    private static readonly byte[] Vxlan4 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, PacketParser.VxlanPort).Vxlan(0)
        .Ethernet(0, 0).Ipv4("198.19.0.1", "198.19.0.2").Udp(0, 0).Build();
    private static readonly byte[] Vxlan6 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, PacketParser.VxlanPort).Vxlan(7)
        .Ethernet(4, 3).Ipv6("2001:db8::3", "2001:db8::4").Udp(3, 4).Build();
    private static readonly byte[] GreIpv4 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Gre().Ipv4("198.19.0.1", "198.19.0.2").Udp(1, 2).Build();
    private static readonly byte[] IpInIp = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Ipv4("198.19.0.1", "198.19.0.3").Udp(0, 0).Build();

    private sealed record Case(FieldMatch Condition, byte[] Without, byte[] With);

    private static FieldMatch Parse(MatchField field, string text) => FieldMatchSyntax.Parse(field, text);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["destinationMac 0 on a runt"] = new(Parse(MatchField.DestinationMac, "00:00:00:00:00:00"), Runt,
            new FrameBuilder().Ethernet(0, 1, EtherType.Arp).Payload(28).Build()),
        ["sourceMac 0 on a runt"] = new(Parse(MatchField.SourceMac, "00:00:00:00:00:00"), Runt,
            new FrameBuilder().Ethernet(2, 0, EtherType.Arp).Payload(28).Build()),
        ["etherType any on a frame cut inside its VLAN tag"] = new(Parse(MatchField.EtherType, "0x0000-0xffff"),
            new FrameBuilder().Ethernet(2, 1).Vlan(5).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 2).Build()[..16], Arp),
        ["vlanId 0 on an untagged frame"] = new(Parse(MatchField.VlanId, "0"), Udp4,
            new FrameBuilder().Ethernet(2, 1).Vlan(0, priority: 3).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 2).Build()),
        ["vlanId 0-4095 on an untagged frame"] = new(Parse(MatchField.VlanId, "0-4095"), Udp4,
            new FrameBuilder().Ethernet(2, 1).Vlan(100).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 2).Build()),
        ["vlanPriority 0 on an untagged frame"] = new(Parse(MatchField.VlanPriority, "0"), Udp4,
            new FrameBuilder().Ethernet(2, 1).Vlan(5).Ipv6("2001:db8::1", "2001:db8::2").Udp(1, 2).Build()),
        ["ipVersion any on ARP"] = new(Parse(MatchField.IpVersion, "0-15"), Arp, Udp4),
        ["sourceIp ::/0 on ARP"] = new(Parse(MatchField.SourceIp, "::/0"), Arp, Udp6),
        ["sourceIp 0.0.0.0/0 on IPv6 from an IPv4-mapped address"] = new(Parse(MatchField.SourceIp, "0.0.0.0/0"),
            new FrameBuilder().Ethernet(2, 1).Ipv6("::ffff:198.18.0.1", "2001:db8::2").Udp(1, 2).Build(), Udp4),
        ["destinationIp ::/0 on IPv4"] = new(Parse(MatchField.DestinationIp, "::/0"), Udp4, Udp6),
        ["destinationIp 198.18.0.2 on IPv6 to ::ffff:198.18.0.2"] = new(Parse(MatchField.DestinationIp, "198.18.0.2"),
            new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "::ffff:198.18.0.2").Udp(1, 2).Build(), Udp4),
        ["protocol any on ARP"] = new(Parse(MatchField.Protocol, "0-255"), Arp, Udp4),
        ["ttlIsOne false on ARP"] = new(Parse(MatchField.TtlIsOne, "false"), Arp, Udp4),
        ["dscp 0 on ARP"] = new(Parse(MatchField.Dscp, "0"), Arp, Udp6),
        ["sourcePort any on ICMP"] = new(Parse(MatchField.SourcePort, "0-65535"), Icmp4, Udp4),
        ["sourcePort any on a non-first fragment"] = new(Parse(MatchField.SourcePort, "0-65535"),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2", fragmentOffset: 100).Udp(1, 2).Build(), Tcp4),
        ["destinationPort 0 on a frame cut inside TCP"] = new(Parse(MatchField.DestinationPort, "0"), Tcp4[..44], Tcp4),
        ["tcpFlags 0 on UDP"] = new(FieldMatch.Equal(MatchField.TcpFlags, 0), Udp4, Tcp4),
        ["icmpType 0 on UDP"] = new(Parse(MatchField.IcmpType, "0"), Udp4, Icmp4),
        ["icmpCode 0 on TCP"] = new(Parse(MatchField.IcmpCode, "0"), Tcp4,
            new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2").Icmp(128, 0).Build()),
        ["encapsulation none on a runt"] = new(Parse(MatchField.Encapsulation, "none"), Runt, Arp),
        ["tenantId 0 on GRE without a key"] = new(Parse(MatchField.TenantId, "0"), GreIpv4, Vxlan4),
        ["tenantId 0 on plain UDP"] = new(Parse(MatchField.TenantId, "0"), Udp4,
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Gre(key: 0).Ethernet(4, 3).Ipv6("2001:db8::3", "2001:db8::4").Udp(3, 4).Build()),
        ["innerDestinationMac 0 on IP-in-IP"] = new(Parse(MatchField.InnerDestinationMac, "00:00:00:00:00:00"), IpInIp, Vxlan4),
        ["innerSourceMac 0 on plain UDP"] = new(Parse(MatchField.InnerSourceMac, "00:00:00:00:00:00"), Udp4, Vxlan4),
        ["innerEtherType any on GRE without an inner Ethernet header"] = new(Parse(MatchField.InnerEtherType, "0x0000-0xffff"), GreIpv4, Vxlan6),
        ["innerSourceIp 0.0.0.0/0 on VXLAN over IPv6"] = new(Parse(MatchField.InnerSourceIp, "0.0.0.0/0"), Vxlan6, Vxlan4),
        ["innerSourceIp ::/0 without a tunnel"] = new(Parse(MatchField.InnerSourceIp, "::/0"), Udp6, Vxlan6),
        ["innerDestinationIp ::/0 on VXLAN over IPv4"] = new(Parse(MatchField.InnerDestinationIp, "::/0"), Vxlan4, Vxlan6),
        ["innerProtocol any on VXLAN over ARP"] = new(Parse(MatchField.InnerProtocol, "0-255"),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, PacketParser.VxlanPort).Vxlan(7).Ethernet(4, 3, EtherType.Arp).Payload(28).Build(), IpInIp),
        ["innerSourcePort any on VXLAN over ICMP"] = new(Parse(MatchField.InnerSourcePort, "0-65535"),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, PacketParser.VxlanPort).Vxlan(7).Ethernet(4, 3).Ipv4("198.19.0.1", "198.19.0.2").Icmp(8, 0).Build(), GreIpv4),
        ["innerDestinationPort 0 on IP-in-IP cut inside the inner UDP header"] = new(Parse(MatchField.InnerDestinationPort, "0"), IpInIp[..58], IpInIp),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    private static PacketInfo ParseFrame(byte[] frame)
    {
        var info = new PacketInfo();
        PacketParser.Parse(frame, ref info);
        return info;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void A_condition_never_matches_a_frame_without_its_header(string name)
    {
        var (condition, without, with) = Cases[name];
        ClassifierRule[] rules = [new(0, [condition])];
        var compiled = Classifier.Compile(rules);
        var linear = new LinearScanClassifier(rules);

        var absent = ParseFrame(without);
        Assert.False(absent.Key.Has(condition.Header));
        Assert.Equal(-1, compiled.Classify(in absent.Key));
        Assert.Equal(-1, linear.Classify(in absent.Key));

        var present = ParseFrame(with);
        Assert.True(present.Key.Has(condition.Header));
        Assert.Equal(0, compiled.Classify(in present.Key));
        Assert.Equal(0, linear.Classify(in present.Key));
    }

    [Fact]
    public void Every_match_field_has_a_case()
    {
        Assert.Equal(Enum.GetValues<MatchField>(), Cases.Values.Select(c => c.Condition.Field).Distinct().Order());
    }

    [Fact]
    public void Address_conditions_need_the_header_of_the_family_they_are_written_in()
    {
        Assert.Equal(PacketHeaders.Ipv4, Parse(MatchField.SourceIp, "198.18.0.0/15").Header);
        Assert.Equal(PacketHeaders.Ipv4, Parse(MatchField.SourceIp, "0.0.0.0/0").Header);
        Assert.Equal(PacketHeaders.Ipv4, Parse(MatchField.SourceIp, "198.18.0.1-198.18.0.9").Header);
        Assert.Equal(PacketHeaders.Ipv4, Parse(MatchField.DestinationIp, "::ffff:0:0/96").Header);
        Assert.Equal(PacketHeaders.Ipv6, Parse(MatchField.SourceIp, "::/0").Header);
        Assert.Equal(PacketHeaders.Ipv6, Parse(MatchField.SourceIp, "::/64").Header);
        Assert.Equal(PacketHeaders.Ipv6, Parse(MatchField.SourceIp, "::1-::ffff:198.18.0.1").Header);
        Assert.Equal(PacketHeaders.InnerIpv4, Parse(MatchField.InnerDestinationIp, "198.19.0.0/16").Header);
        Assert.Equal(PacketHeaders.InnerIpv6, Parse(MatchField.InnerDestinationIp, "2001:db8::/32").Header);
    }

    [Fact]
    public void A_header_cut_short_is_absent_and_so_is_everything_after_it()
    {
        const PacketHeaders l2 = PacketHeaders.Ethernet | PacketHeaders.Vlan;
        const PacketHeaders l3 = l2 | PacketHeaders.Ip | PacketHeaders.Ipv4;
        const PacketHeaders l4 = l3 | PacketHeaders.Ports | PacketHeaders.Tcp;
        var frame = new FrameBuilder().Ethernet(2, 1).Vlan(5).Ipv4("198.18.0.1", "198.18.0.2").Tcp(1, 2).Build();
        for (var length = 0; length <= 58; length++)
        {
            var expected = length switch
            {
                < 18 => PacketHeaders.None,
                < 38 => l2,
                < 58 => l3,
                _ => l4,
            };
            Assert.Equal(expected, ParseFrame(frame[..length]).Headers);
        }

        const PacketHeaders outer = PacketHeaders.Ethernet | PacketHeaders.Ip | PacketHeaders.Ipv4 | PacketHeaders.Ports;
        const PacketHeaders overlay = outer | PacketHeaders.Overlay;
        const PacketHeaders innerL2 = overlay | PacketHeaders.InnerEthernet;
        const PacketHeaders innerL3 = innerL2 | PacketHeaders.InnerIp | PacketHeaders.InnerIpv4;
        for (var length = 42; length <= 92; length++)
        {
            var expected = length switch
            {
                < 50 => outer,
                < 64 => overlay,
                < 84 => innerL2,
                < 92 => innerL3,
                _ => innerL3 | PacketHeaders.InnerPorts,
            };
            Assert.Equal(expected, ParseFrame(Vxlan4[..length]).Headers);
        }
    }

    [Fact]
    public void The_fast_path_marks_the_same_headers_as_the_full_walk()
    {
        const PacketHeaders udp = PacketHeaders.Ethernet | PacketHeaders.Ip | PacketHeaders.Ipv4 | PacketHeaders.Ports;
        foreach (var (frame, expected) in new[] { (Udp4, udp), (Tcp4, udp | PacketHeaders.Tcp) })
        {
            PacketInfo general = default;
            PacketParser.ParseGeneral(frame, ref general);
            Assert.Equal(expected, ParseFrame(frame).Headers);
            Assert.Equal(expected, general.Headers);
        }
    }

    [Fact]
    public void An_ipv6_walk_cut_inside_an_extension_header_reports_that_header_as_the_protocol()
    {
        var frame = new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2", extensionHeaders: [IpProtocol.HopByHopOptions, IpProtocol.Routing]).Tcp(1, 2).Build();
        var info = ParseFrame(frame[..(14 + 40 + 8 + 4)]);
        Assert.Equal(ParseError.Truncated, info.Error);
        Assert.Equal(PacketHeaders.Ethernet | PacketHeaders.Ip | PacketHeaders.Ipv6, info.Headers);
        Assert.Equal(IpProtocol.Routing, (byte)info.Key.Get(MatchField.Protocol));
        var rules = Classifier.Compile([new(0, [Parse(MatchField.Protocol, "tcp")]), new(1, [Parse(MatchField.Protocol, "0")])]);
        Assert.Equal(-1, rules.Classify(in info.Key));
    }

    [Fact]
    public void Fields_and_presence_bits_never_share_a_bit_of_the_key()
    {
        var owner = new Dictionary<(int Word, int Bit), string>();
        void Claim(FieldSpec spec, string name)
        {
            for (var bit = 0; bit < spec.Bits; bit++)
            {
                var at = (spec.Word + (spec.Shift + bit) / 64, (spec.Shift + bit) % 64);
                Assert.InRange(at.Item1, 0, FlowKey.Words - 1);
                Assert.True(owner.TryAdd(at, name), $"{name} and {owner.GetValueOrDefault(at)} share word {at.Item1} bit {at.Item2}.");
            }
        }
        foreach (var field in Enum.GetValues<MatchField>())
            Claim(FieldSpec.Of(field), field.ToString());
        foreach (var header in Enum.GetValues<PacketHeaders>().Where(h => h != PacketHeaders.None))
            Claim(FieldSpec.Of(header), header.ToString());
        Assert.Equal(FlowKey.AllHeaders, Enum.GetValues<PacketHeaders>().Aggregate((a, b) => a | b));
    }

    [Fact]
    public void Headers_can_be_set_and_read_back_without_touching_the_fields()
    {
        var key = ParseFrame(Vxlan6).Key;
        var fields = Enum.GetValues<MatchField>().Select(f => key.Get(f)).ToArray();
        key.Headers = PacketHeaders.Vlan | PacketHeaders.InnerPorts | PacketHeaders.Icmp;
        Assert.Equal(PacketHeaders.Vlan | PacketHeaders.InnerPorts | PacketHeaders.Icmp, key.Headers);
        Assert.Equal(fields, Enum.GetValues<MatchField>().Select(f => key.Get(f)).ToArray());
    }
}
