using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Node.Configuration;

namespace PdCluster.Node.Hosting;

/// <summary>
/// The simulated hardware of a node: per simulated adapter, a SoftNic port wired to a generator port whose traffic
/// generator runs on a thread of its own at the configured rate.
/// </summary>
internal sealed class SimulatedLab : IDisposable
{
    private readonly Dictionary<string, SoftNic> _adapters = [];
    private readonly List<(TrafficGenerator Generator, Thread Thread)> _generators = [];
    private readonly CancellationTokenSource _stop = new();

    public SimulatedLab(IEnumerable<AdapterConfig> adapters)
    {
        var index = 0;
        foreach (var config in adapters.Where(a => a.Provider == "simulated"))
        {
            var adapter = new SoftNic(NodeConfigLoader.SimulatedInfo(config));
            _adapters.Add(config.Name, adapter);
            var generatorConfig = config.Simulated?.Generator;
            if (generatorConfig is null || generatorConfig.Flows.Count == 0)
                continue;
            var port = new SoftNic(AdapterInfo.ConnectX3Pro($"gen-{config.Name}", 0x02_00_00_00_01_00UL + (ulong)index++));
            Wire.Connect(port, adapter);
            var flows = generatorConfig.Flows.Select(f => new GeneratorFlow(f.Source, f.Destination,
                f.Protocol switch { "tcp" => (byte)6, "udp" => (byte)17, _ => f.Source.Contains(':') ? (byte)58 : (byte)1 },
                f.SourcePort, f.DestinationPort, f.FrameSize, f.Vlan, port.Info.Mac, adapter.Info.Mac)).ToList();
            var generator = new TrafficGenerator(port, flows);
            var rate = generatorConfig.Rate;
            _generators.Add((generator, new Thread(() => generator.Run(_stop.Token, ratePps: rate)) { Name = $"generator-{config.Name}", IsBackground = true }));
        }
    }

    /// <summary>The simulated adapter named <paramref name="name"/>, if there is one.</summary>
    public SoftNic? Adapter(string name) => _adapters.GetValueOrDefault(name);

    /// <summary>Frames the generators sent and got back.</summary>
    public (long Sent, long Returned) Traffic => (_generators.Sum(g => g.Generator.Sent), _generators.Sum(g => g.Generator.Received));

    /// <summary>Round-trip latency percentile of the first generator, in microseconds.</summary>
    public double LatencyMicroseconds(double percentile) => _generators.Count == 0 ? 0 : _generators[0].Generator.Latency.Percentile(percentile) / 1000.0;

    public void StartTraffic()
    {
        foreach (var (_, thread) in _generators)
            thread.Start();
    }

    public void StopTraffic()
    {
        _stop.Cancel();
        foreach (var (_, thread) in _generators)
        {
            if (thread.IsAlive)
                thread.Join();
        }
    }

    public void Dispose()
    {
        StopTraffic();
        foreach (var (generator, _) in _generators)
            generator.Dispose();
        _stop.Dispose();
    }
}
