using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class ClassifierTests
{
    /// <summary>The key of a UDP (or TCP, with <paramref name="protocol"/> 6) frame from <paramref name="source"/> to <paramref name="port"/>.</summary>
    private static FlowKey Key(string source, ushort port, byte protocol = IpProtocol.Udp, byte flags = 0)
    {
        var frame = new FrameBuilder().Ethernet(2, 1);
        if (source.Contains(':'))
            frame.Ipv6(source, "2001:db8::ff");
        else
            frame.Ipv4(source, "198.19.255.1");
        if (protocol == IpProtocol.Tcp)
            frame.Tcp(40000, port, flags);
        else
            frame.Udp(40000, port);
        var info = new PacketInfo();
        PacketParser.Parse(frame.Build(), ref info);
        return info.Key;
    }

    private static ClassifierRule Rule(int priority, params (MatchField Field, string Text)[] matches) =>
        new(priority, matches.Select(m => FieldMatchSyntax.Parse(m.Field, m.Text)).ToArray());

    [Fact]
    public void Empty_table_matches_nothing()
    {
        Assert.Equal(-1, Classifier.Compile([]).Classify(Key("198.18.0.1", 80)));
    }

    [Fact]
    public void Equal_prefix_range_and_flags()
    {
        var c = Classifier.Compile(
        [
            Rule(0, (MatchField.DestinationPort, "80")),
            Rule(0, (MatchField.SourceIp, "198.18.4.0/24")),
            Rule(0, (MatchField.DestinationPort, "1000-1999")),
            Rule(0, (MatchField.TcpFlags, "syn|rst")),
        ]);
        Assert.Equal(0, c.Classify(Key("198.19.0.1", 80)));
        Assert.Equal(1, c.Classify(Key("198.18.4.77", 81)));
        Assert.Equal(2, c.Classify(Key("198.19.0.1", 1000)));
        Assert.Equal(2, c.Classify(Key("198.19.0.1", 1999)));
        Assert.Equal(-1, c.Classify(Key("198.19.0.1", 2000)));
        Assert.Equal(3, c.Classify(Key("198.19.0.1", 5, 6, flags: 0x12)));
        Assert.Equal(-1, c.Classify(Key("198.19.0.1", 5, 6, flags: 0x10)));
    }

    [Fact]
    public void A_full_length_prefix_matches_exactly_its_address()
    {
        var c = Classifier.Compile(
        [
            Rule(0, (MatchField.SourceIp, "198.18.0.1/32")),
            Rule(0, (MatchField.SourceIp, "2001:db8::1/128")),
        ]);
        Assert.Equal(0, c.Classify(Key("198.18.0.1", 80)));
        Assert.Equal(-1, c.Classify(Key("198.18.0.2", 80)));
        Assert.Equal(1, c.Classify(Key("2001:db8::1", 80)));
        Assert.Equal(-1, c.Classify(Key("2001:db8::2", 80)));
    }

    [Fact]
    public void Lower_priority_value_wins_and_ties_go_to_the_first_added()
    {
        var c = Classifier.Compile(
        [
            Rule(10, (MatchField.Protocol, "udp")),
            Rule(5, (MatchField.DestinationPort, "53")),
            Rule(5, (MatchField.SourceIp, "198.18.0.0/15")),
        ]);
        Assert.Equal(1, c.Classify(Key("198.18.0.1", 53)));
        Assert.Equal(2, c.Classify(Key("198.18.0.1", 54)));
        Assert.Equal(0, c.Classify(Key("203.0.113.1", 54)));
    }

    [Fact]
    public void Ipv4_prefix_does_not_match_ipv6()
    {
        var c = Classifier.Compile([Rule(0, (MatchField.SourceIp, "0.0.0.0/0"))]);
        Assert.Equal(0, c.Classify(Key("198.18.0.1", 1)));
        Assert.Equal(-1, c.Classify(Key("2001:db8::1", 1)));
    }

    [Theory]
    [InlineData(0, 65535)]
    [InlineData(1, 65534)]
    [InlineData(1024, 49151)]
    [InlineData(7, 7)]
    [InlineData(3, 12)]
    public void Port_ranges_match_exactly_their_values(int low, int high)
    {
        var c = Classifier.Compile([new ClassifierRule(0, [FieldMatch.Range(MatchField.DestinationPort, (UInt128)low, (UInt128)high)])]);
        for (var port = 0; port <= 65535; port++)
            Assert.Equal(port >= low && port <= high ? 0 : -1, c.Classify(Key("198.18.0.1", (ushort)port)));
    }

    [Fact]
    public void Wide_ranges_fall_back_to_checks_after_the_hash()
    {
        var rule = new ClassifierRule(0,
        [
            FieldMatch.Range(MatchField.SourceIp, FieldMatchSyntax.Parse(MatchField.SourceIp, "198.18.0.3").Value, FieldMatchSyntax.Parse(MatchField.SourceIp, "198.19.255.250").Value),
            FieldMatch.Range(MatchField.DestinationPort, 1, 65534),
        ]);
        var c = Classifier.Compile([rule]);
        Assert.Equal(0, c.Classify(Key("198.18.0.3", 1)));
        Assert.Equal(0, c.Classify(Key("198.19.255.250", 65534)));
        Assert.Equal(-1, c.Classify(Key("198.18.0.2", 1)));
        Assert.Equal(-1, c.Classify(Key("198.19.255.251", 80)));
        Assert.Equal(-1, c.Classify(Key("198.18.9.9", 0)));
    }

    [Fact]
    public void Hundred_thousand_rules_share_few_masks_and_match_correctly()
    {
        var rules = new List<ClassifierRule>();
        for (var i = 0; i < 100_000; i++)
        {
            var address = PacketParser.MapIpv4(0xC612_0000u + (uint)i);
            rules.Add(new ClassifierRule(i % 7, [FieldMatch.Equal(MatchField.SourceIp, address), FieldMatch.Equal(MatchField.DestinationPort, (UInt128)(i % 1000))]));
        }
        rules.Add(new ClassifierRule(100, [FieldMatch.Prefix(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u), 96 + 15)]));
        var c = Classifier.Compile(rules);
        Assert.Equal(2, c.SubtableCount);
        var linear = new LinearScanClassifier(rules);
        var random = new Random(7);
        var exact = 0;
        for (var n = 0; n < 2000; n++)
        {
            var i = random.Next(110_000);
            var source = 0xC612_0000u + (uint)i;
            var key = Key($"{source >> 24}.{(source >> 16) & 0xFF}.{(source >> 8) & 0xFF}.{source & 0xFF}", (ushort)(random.Next(2) == 0 ? i % 1000 : 1001));
            var rule = c.Classify(key);
            Assert.Equal(linear.Classify(key), rule);
            exact += rule is >= 0 and < 100_000 ? 1 : 0;
        }
        Assert.InRange(exact, 700, 1100);
    }

    [Fact]
    public void Malformed_rules_are_refused_with_the_rule_index()
    {
        var e = Assert.Throws<FilterSpecException>(() => Classifier.Compile(
        [
            Rule(0, (MatchField.DestinationPort, "80")),
            new ClassifierRule(0, [FieldMatch.Range(MatchField.DestinationPort, 90, 10)]),
        ]));
        Assert.Contains("Rule 1", e.Message);
        Assert.Throws<FilterSpecException>(() => Classifier.Compile([new ClassifierRule(0, [FieldMatch.Equal(MatchField.DestinationPort, 70000)])]));
        Assert.Throws<FilterSpecException>(() => Classifier.Compile([new ClassifierRule(0, [FieldMatch.AnyBit(MatchField.Protocol, 1)])]));
        Assert.Throws<FilterSpecException>(() => Classifier.Compile([new ClassifierRule(0, [FieldMatch.Equal(MatchField.Protocol, 6), FieldMatch.Equal(MatchField.Protocol, 17)])]));
    }
}
