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
    private SimulatedProvider? _provider;

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

    public static CompiledFilterSet Filters { get; } = Compile("""
        [
          { "id": "drop-udp-flood", "priority": 10, "action": "drop", "match": { "protocol": "udp", "sourceIp": "198.18.128.0/17" } },
          { "id": "steer-web", "priority": 20, "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80" } },
          { "id": "count-rest", "priority": 100 }
        ]
        """);

    /// <summary>The provider the adapter's supervisor opened last (it may be closed by now).</summary>
    public SimulatedProvider? Provider => Volatile.Read(ref _provider);

    /// <summary>A filter set from JSON, with <paramref name="revision"/>.</summary>
    public static CompiledFilterSet Compile(string json, long revision = 0) => CompiledFilterSet.Compile(FilterSpec.ReadList(json, "test"), revision);

    /// <summary>Opens a provider on the adapter and remembers it as <see cref="Provider"/>.</summary>
    public SimulatedProvider OpenProvider()
    {
        var provider = new SimulatedProvider(Adapter);
        Volatile.Write(ref _provider, provider);
        return provider;
    }

    public AdapterSettings Settings(bool drainNotification = false, bool pdEnabled = true, Func<IReadOnlyList<IPacketStage>>? stages = null, CompiledFilterSet? filters = null) =>
        new("pd0", OpenProvider, Adapter, Pool, filters ?? Filters, Queues: 2, QueueSize: 512, DrainNotification: drainNotification, PdEnabled: pdEnabled, Stages: stages);

    /// <summary>
    /// Asserts that <paramref name="expected"/> is in force on the adapter <paramref name="settings"/> runs: when the
    /// data path is open, the receive filters set in the device are its hardware filters and every queue runs its
    /// software table; when closed, the device has no filter left.
    /// </summary>
    public void AssertFiltersInForce(AdapterSettings settings, CompiledFilterSet expected)
    {
        var telemetry = settings.Telemetry;
        if (telemetry.State != AdapterState.Running)
        {
            Assert.Equal(0, Adapter.FilterCount);
            return;
        }
        var queues = telemetry.Queues;
        var installed = Provider!.InstalledFilters
            .Select(f => Describe(f.Parameters.Matches, f.Parameters.Priority, queues.Single(q => q.Receive == f.Parameters.TargetReceiveQueue).Queue, f.Parameters.RxFilterContext))
            .Order().ToList();
        var wanted = expected.HardwareFilters.Select(f => Describe(f.Matches, f.Priority, f.Queue, f.Context)).Order().ToList();
        Assert.Equal(wanted, installed);
        Assert.Equal(wanted.Count, Adapter.FilterCount);
        Assert.All(queues, q => Assert.Same(expected, q.Filters?.Set));
    }

    private static string Describe(IReadOnlyList<FieldMatch> matches, int priority, int queue, ulong context) =>
        $"priority {priority} queue {queue} context {context}: {string.Join(", ", matches)}";

    public void Dispose() => _lab.Dispose();
}
