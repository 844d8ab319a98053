using BenchmarkDotNet.Attributes;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Micro;

/// <summary>
/// A scrubber's table: source prefixes to drop, UDP reflection by source port, TCP SYN, ICMP echo, VLAN and service
/// ports, each a different mask, against a mix of IPv4, IPv6, tagged and non-IP frames.
/// </summary>
[MemoryDiagnoser]
public class ClassifierMixBenchmarks
{
    private Classifier _compiled = Classifier.Empty;
    private FlowKey[] _keys = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        ClassifierRule Rule(int priority, params (MatchField Field, string Text)[] matches) =>
            new(priority, [.. matches.Select(m => FieldMatchSyntax.Parse(m.Field, m.Text))]);
        var rules = new List<ClassifierRule>();
        for (var i = 0; i < 64; i++)
            rules.Add(Rule(0, (MatchField.SourceIp, $"198.18.{i}.0/24")));
        rules.Add(Rule(1, (MatchField.Protocol, "udp"), (MatchField.SourcePort, "53")));
        rules.Add(Rule(1, (MatchField.Protocol, "udp"), (MatchField.SourcePort, "123")));
        rules.Add(Rule(2, (MatchField.TcpFlags, "syn"), (MatchField.DestinationPort, "80")));
        rules.Add(Rule(3, (MatchField.IcmpType, "8")));
        rules.Add(Rule(4, (MatchField.VlanId, "100-199")));
        rules.Add(Rule(5, (MatchField.DestinationIp, "2001:db8::/32")));
        rules.Add(Rule(6, (MatchField.DestinationPort, "1024-65535")));
        _compiled = Classifier.Compile(rules);

        byte[][] frames =
        [
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.7.1", "198.19.0.1").Udp(40000, 53).Build(),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.19.7.1", "198.19.0.1").Udp(53, 40000).Build(),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.19.7.1", "198.19.0.1").Tcp(40000, 80).Build(),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.19.7.1", "198.19.0.1").Icmp(8, 0).Build(),
            new FrameBuilder().Ethernet(2, 1).Vlan(150).Ipv4("198.19.7.1", "198.19.0.1").Udp(1, 2).Build(),
            new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2").Tcp(1, 443).Build(),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.19.7.1", "198.19.0.1").Udp(1, 5000).Build(),
            new FrameBuilder().Ethernet(2, 1, 0x0806).Payload(28).Build(),
        ];
        _keys = [.. frames.Select(Parse)];
    }

    /// <summary>The flow key the parser makes of <paramref name="frame"/>.</summary>
    public static FlowKey Parse(byte[] frame)
    {
        var info = new PacketInfo();
        PacketParser.Parse(frame, ref info);
        return info.Key;
    }

    [Benchmark]
    public int TupleSpaceMix() => _compiled.Classify(in _keys[_next++ & 7]);
}
