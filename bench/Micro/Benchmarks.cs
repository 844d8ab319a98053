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

/// <summary>Lookups at 1, 1,000 and 100,000 rules: tuple-space search against a linear scan.</summary>
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
            _keys[i].Set(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u + (uint)random.Next(Rules)));
            _keys[i].Set(MatchField.DestinationPort, (ulong)(random.Next(2) == 0 ? 53 : 54));
        }
    }

    [Benchmark(Baseline = true)]
    public int LinearScan() => _linear.Classify(in _keys[_next++ & 1023]);

    [Benchmark]
    public int TupleSpace() => _compiled.Classify(in _keys[_next++ & 1023]);
}
