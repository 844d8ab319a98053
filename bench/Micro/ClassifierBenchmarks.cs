using BenchmarkDotNet.Attributes;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Micro;

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
