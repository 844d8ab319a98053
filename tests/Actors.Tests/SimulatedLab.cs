using PdCluster.Actors.Framework;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.DataPath;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;

namespace PdCluster.Tests.Actors;

/// <summary>A simulated ConnectX-3 Pro wired to a paced traffic generator on its own thread, and the settings to supervise it.</summary>
internal sealed class SimulatedLab : IDisposable
{
    private readonly SoftNicLab _lab;

    public SimulatedLab(AdapterInfo? info = null, long rate = 50_000, int buffers = 4096)
    {
        _lab = new SoftNicLab(info ?? AdapterInfo.ConnectX3Pro("pd0", 0x02_00_00_00_00_02),
        [
            new GeneratorFlow("198.18.0.10", "198.18.1.1", 6, 40000, 80),
            new GeneratorFlow("198.18.0.11", "198.18.1.1", 17, 40001, 53),
            new GeneratorFlow("198.18.200.7", "198.18.1.1", 17, 1234, 9999),
        ], rate);
        Pool = new BufferPool(buffers, checkedMode: true);
        _lab.Start();
    }

    public SoftNic Adapter => _lab.Adapter;

    public BufferPool Pool { get; }

    /// <summary>Frames that went through the adapter and came back.</summary>
    public long Returned => _lab.Returned;

    public static IReadOnlyList<FilterSpec> Filters { get; } = FilterSpec.ReadList("""
        [
          { "id": "drop-udp-flood", "priority": 10, "action": "drop", "match": { "protocol": "udp", "sourceIp": "198.18.128.0/17" } },
          { "id": "steer-web", "priority": 20, "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80" } },
          { "id": "count-rest", "priority": 100 }
        ]
        """, "lab");

    public AdapterSettings Settings(bool drainNotification = false, bool pdEnabled = true, Func<IReadOnlyList<IPacketStage>>? stages = null, IReadOnlyList<FilterSpec>? filters = null) =>
        new("pd0", () => new SimulatedProvider(Adapter), Adapter, Pool, filters ?? Filters, Queues: 2, QueueSize: 512, DrainNotification: drainNotification, PdEnabled: pdEnabled, Stages: stages);

    public void Dispose() => _lab.Dispose();
}
