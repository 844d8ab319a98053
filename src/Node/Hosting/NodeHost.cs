using Microsoft.AspNetCore.Builder;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Node.Admin;
using PdCluster.Node.Configuration;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;

namespace PdCluster.Node.Hosting;

/// <summary>
/// A running node: the actor system with its node and adapter supervisors, the simulated lab, the metrics and the
/// admin endpoint. <see cref="ShutdownAsync"/> runs coordinated shutdown: traffic stops, the endpoint unbinds, the
/// adapters quiesce (every buffer home), the actor system terminates.
/// </summary>
internal sealed class NodeHost
{
    private readonly List<(string Name, AdapterTelemetry Telemetry, BufferPool Pool)> _adapters = [];
    private readonly NodeMetrics _metrics;
    private readonly PrometheusExporter _exporter;
    private readonly IActorRef _node;
    private readonly IActorRef _membership;
    private readonly InMemoryStore _store = new();
    private WebApplication? _admin;

    private NodeHost(LoadedConfig config)
    {
        Config = config;
        System = ActorSystem.Create(config.Config.Node);
        Lab = new SimulatedLab(config.Config.Adapters);
        var settings = new List<AdapterSettings>();
        foreach (var a in config.Config.Adapters)
        {
            var nic = Lab.Adapter(a.Name)!;
            var pool = new BufferPool(a.Buffers);
            var adapter = new AdapterSettings(a.Name, () => new SimulatedProvider(nic, config.Requirements), nic, pool, config.Filters,
                a.Queues, a.QueueSize, a.DrainNotification, a.Pd, BurstSize: a.Burst);
            settings.Add(adapter);
            _adapters.Add((a.Name, adapter.Telemetry, pool));
        }
        _metrics = new NodeMetrics([.. _adapters.Select(a => (a.Name, a.Telemetry, a.Pool, Lab.Adapter(a.Name)))]);
        _exporter = new PrometheusExporter(NodeMetrics.MeterName);
        _node = NodeSupervisor.Start(System, config.Config.Node, settings);
        Membership = new MembershipSettings(_store, config.Config.Cluster, config.Config.Node, config.AdminEndpoint.ToString(), TimeSpan.FromSeconds(2));
        _membership = System.ActorOf(Props.Create(() => new Membership(Membership)), "membership");

        // Leave the cluster first, so peers can take over at once; then stop traffic, unbind, quiesce.
        var shutdown = System.CoordinatedShutdown;
        shutdown.AddTask("before-service-unbind", "leave-cluster", async _ => await _membership.Ask<LeftCluster>(LeaveCluster.Instance, TimeSpan.FromSeconds(5)));
        shutdown.AddTask("before-service-unbind", "stop-traffic", _ => Task.Run(Lab.StopTraffic));
        shutdown.AddTask("service-unbind", "stop-admin", async ct =>
        {
            if (_admin is not null)
                await _admin.StopAsync(ct);
        });
    }

    public LoadedConfig Config { get; }

    public ActorSystem System { get; }

    public SimulatedLab Lab { get; }

    /// <summary>The cluster store and this node's place in it.</summary>
    public MembershipSettings Membership { get; }

    /// <summary>Where the admin endpoint listens.</summary>
    public string AdminUrl => $"http://{Config.AdminEndpoint}";

    /// <summary>Starts the node, its admin endpoint, then the simulated traffic.</summary>
    public static async Task<NodeHost> StartAsync(LoadedConfig config)
    {
        var host = new NodeHost(config);
        try
        {
            host._admin = await AdminEndpoint.StartAsync(host, config.AdminEndpoint, host._exporter);
        }
        catch (IOException e)
        {
            await host.ShutdownAsync("admin endpoint failed");
            throw new ConfigException($"{config.Source}: admin.listen: cannot listen on {config.AdminEndpoint}: {e.Message}");
        }
        await host.WaitForAdaptersAsync(TimeSpan.FromSeconds(10));
        host.Lab.StartTraffic();
        return host;
    }

    /// <summary>Waits until no adapter is still coming up, so traffic does not meet empty rings.</summary>
    private async Task WaitForAdaptersAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        bool Settled() => _adapters.All(a => a.Telemetry.HasReported
            && (a.Telemetry.State != AdapterState.Running || a.Telemetry.Queues.All(q => q.Receive.Outstanding > 0)));
        while (!Settled() && DateTime.UtcNow < deadline)
            await Task.Delay(10);
    }

    public bool IsConfigured(string adapter) => _adapters.Any(a => a.Name == adapter);

    public Task<NodeStatus> StatusAsync() => _node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5));

    /// <summary>Every adapter's live queue counters.</summary>
    public IEnumerable<(string Adapter, AdapterState State, IReadOnlyList<QueueTelemetry> Queues)> Telemetry =>
        _adapters.Select(a => (a.Name, a.Telemetry.State, a.Telemetry.Queues));

    /// <summary>Whether every adapter's pool has all its buffers.</summary>
    public bool AllBuffersHome => _adapters.All(a => a.Pool.FreeCount == a.Pool.Capacity);

    /// <summary>Runs coordinated shutdown (once) and releases what the node holds outside the actor system.</summary>
    public async Task ShutdownAsync(string reason)
    {
        await System.CoordinatedShutdown.Run(reason);
        await (_admin?.DisposeAsync() ?? ValueTask.CompletedTask);
        _admin = null;
        _exporter.Dispose();
        _metrics.Dispose();
        Lab.Dispose();
        await _store.DisposeAsync();
    }
}
