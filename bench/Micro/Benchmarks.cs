using BenchmarkDotNet.Attributes;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Queues.Rings;

namespace PdCluster.Micro;

/// <summary>Burst enqueue and dequeue of 32 handles on one thread.</summary>
[MemoryDiagnoser]
public class RingBenchmarks
{
    private readonly SpscRing<int> _ring = new(1024);
    private readonly int[] _burst = new int[32];

    [Benchmark(Description = "enqueue+dequeue burst of 32")]
    public int Burst()
    {
        _ring.TryEnqueue(_burst);
        return _ring.TryDequeue(_burst);
    }
}

/// <summary>Parsing common frames.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private readonly byte[] _udp4 = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 53).Build();
    private readonly byte[] _tcp6 = new FrameBuilder().Ethernet(2, 1).Vlan(10).Ipv6("2001:db8::1", "2001:db8::2").Tcp(1, 443).Build();
    private readonly byte[] _vxlan = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, 4789).Vxlan(7).Ethernet(4, 3).Ipv4("198.19.0.1", "198.19.0.2").Tcp(1, 2).Build();
    private PacketInfo _info;

    [Benchmark(Baseline = true)]
    public bool Udp4() => PacketParser.Parse(_udp4, ref _info);

    [Benchmark]
    public bool VlanTcp6() => PacketParser.Parse(_tcp6, ref _info);

    [Benchmark]
    public bool Vxlan() => PacketParser.Parse(_vxlan, ref _info);
}

/// <summary>Lookups at 1, 1,000 and 100,000 rules: tuple-space search against a linear scan, on keys the parser made.</summary>
[MemoryDiagnoser]
public class ClassifierBenchmarks
{
    private Classifier _compiled = Classifier.Empty;
    private LinearScanClassifier _linear = new([]);
    private FlowKey[] _keys = [];
    private int _next;

    [Params(1, 1_000, 100_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rules = new List<ClassifierRule>();
        for (var i = 0; i < Rules; i++)
            rules.Add(new ClassifierRule(1, [FieldMatch.Equal(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u + (uint)i)), FieldMatch.Equal(MatchField.DestinationPort, 53)]));
        _compiled = Classifier.Compile(rules);
        _linear = new LinearScanClassifier(rules);
        var random = new Random(3);
        _keys = new FlowKey[1024];
        for (var i = 0; i < _keys.Length; i++)
        {
            var source = 0xC6120000u + (uint)random.Next(Rules);
            var frame = new FrameBuilder().Ethernet(2, 1).Ipv4($"198.18.{(source >> 8) & 0xFF}.{source & 0xFF}", "198.19.255.1")
                .Udp(40000, random.Next(2) == 0 ? (ushort)53 : (ushort)54).Build();
            _keys[i] = ClassifierMixBenchmarks.Parse(frame);
        }
    }

    [Benchmark(Baseline = true)]
    public int LinearScan() => _linear.Classify(in _keys[_next++ & 1023]);

    [Benchmark]
    public int TupleSpace() => _compiled.Classify(in _keys[_next++ & 1023]);
}

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
