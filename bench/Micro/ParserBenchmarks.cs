using BenchmarkDotNet.Attributes;
using PdCluster.Queues.Packets;

namespace PdCluster.Micro;

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
