using BenchmarkDotNet.Attributes;
using PdCluster.Queues.Packets;
using PdCluster.Vfp;

namespace PdCluster.Micro;

/// <summary>
/// A VM port's VFP at 0, 10 and 10,000 rules, with the unified flow table (1,024 warm flows) and without it (every
/// packet walks the layers, as a flow's first does). Per packet: divide 1 s by the mean for packets/s.
/// </summary>
[MemoryDiagnoser]
public class VfpPortBenchmarks
{
    private const int Flows = 1024;
    private const int Burst = 32;

    private VfpPort _port = new("bench");
    private byte[][] _frames = [];
    private PacketInfo[] _info = [];
    private int _next;

    [Params(0, 10, 10_000)]
    public int Rules { get; set; }

    [Params(true, false)]
    public bool FlowTable { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // An ACL's mix of masks: source prefixes from /24 to /32 and destination ports exact, as a range or any, so
        // the tuple-space search visits tens of subtables, as a real policy makes it.
        string[] ports = ["53", "50-59", "0-65535"];
        var rules = Enumerable.Range(0, Rules).Select(i => new VfpRule
        {
            SchemaVersion = 1, Id = $"r{i}", Layer = "acl", Group = "in", Direction = VfpDirection.Inbound, Priority = i, Action = VfpAction.Allow,
            Match = new() { ["sourceIp"] = $"{Source(i)}/{32 - i % 9}", ["protocol"] = "udp", ["destinationPort"] = ports[i / 9 % 3] },
        }).ToList();
        _port = new VfpPort("bench", FlowTable ? 65_536 : 0);
        _port.Apply(Rules == 0
            ? VfpPolicy.Empty
            : new VfpPolicy([new VfpLayer("acl", 1)], [new VfpGroup("acl", "in", VfpDirection.Inbound, 1)], rules));
        _frames = new byte[Flows][];
        _info = new PacketInfo[Flows];
        for (var i = 0; i < Flows; i++)
        {
            var rule = Rules == 0 ? i : i * 7919 % Rules;
            _frames[i] = new FrameBuilder().Ethernet(2, 1).Ipv4(Source(rule), "198.19.0.1").Udp((ushort)(1000 + i), 53).Build();
            PacketParser.Parse(_frames[i], ref _info[i]);
        }
        for (var i = 0; i < Flows; i++)
            _port.Process(VfpDirection.Inbound, _frames[i], ref _info[i]);
    }

    private static string Source(int rule) => $"198.18.{rule / 250}.{rule % 250 + 1}";

    [Benchmark(OperationsPerInvoke = Burst)]
    public int Packet()
    {
        var allowed = 0;
        for (var n = 0; n < Burst; n++)
        {
            var i = _next++ & (Flows - 1);
            allowed += _port.Process(VfpDirection.Inbound, _frames[i], ref _info[i]) == VfpVerdict.Allow ? 1 : 0;
        }
        return allowed;
    }
}
