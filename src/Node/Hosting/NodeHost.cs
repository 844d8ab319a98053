using System.Net;
using System.Numerics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Node.Admin;
using PdCluster.Node.ClusterAccess;
using PdCluster.Node.Configuration;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Capture;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Node.Hosting;

/// <summary>
/// A running node: its adapters bound through the provider registry, the actor system with its node and adapter
/// supervisors, the metrics and the admin endpoint. <see cref="ShutdownAsync"/> runs coordinated shutdown: lab
/// traffic stops, the endpoint unbinds, the adapters quiesce (every buffer home), the actor system terminates.
/// </summary>
internal sealed class NodeHost : INodeAdmin
{
    /// <summary>Bytes a capture's ring takes at most: frames that arrive faster than the reader takes them are dropped from the capture beyond it.</summary>
    private const int CaptureRingBytes = 4 << 20;

    private readonly List<(string Name, PdAdapter Adapter, AdapterTelemetry Telemetry, BufferPool Pool, IReadOnlyList<CaptureTap> Captures)> _adapters = [];
    private readonly NodeMetrics _metrics;
    private readonly PrometheusExporter _exporter;
    private readonly IActorRef _node;
    private IActorRef? _membership;
    private IActorRef? _filterAgent;
    private IActorRef? _coordinator;
    private IActorRef? _ownership;
    private IActorRef? _vswitches;
    private readonly List<TeamSettings> _teams = [];
    private readonly IClusterStore _store;
    private WebApplication? _admin;

    /// <summary>The VFP state of the node's VM ports (for its VM switch agent), whose counters <c>/metrics</c> exports.</summary>
    public VfpPorts VfpPorts { get; } = new();

    private NodeHost(LoadedConfig config, PdProviderRegistry providers)
    {
        Config = config;
        // Bound before anything starts, so an adapter its provider cannot bind refuses the config with nothing to undo.
        var bound = config.Config.Adapters.Select((_, i) => AdapterOptions.Bind(config, i, providers)).ToList();
        System = ActorSystem.Create(config.Config.Node);
        ErrorLog.Start(System, Console.Error, Errors);
        var settings = new List<AdapterSettings>();
        var filters = CompiledFilterSet.Compile(config.Filters);
        foreach (var (a, adapter) in config.Config.Adapters.Zip(bound))
        {
            var pool = new BufferPool(a.Buffers, checkedMode: a.CheckedBuffers);
            var supervised = new AdapterSettings(a.Name, adapter.OpenProvider, adapter.Events, pool, filters,
                a.Queues, a.QueueSize, a.DrainNotification, a.Pd, BurstSize: a.BurstInForce(), ExceptionPath: a.ExceptionPath,
                Provider: adapter.Info.ChosenProvider ?? a.Provider, Info: adapter.Info, ReceiveQueueSize: a.ReceiveQueueSize, PacedPoll: a.PacedPoll);
            settings.Add(supervised);
            _adapters.Add((a.Name, adapter, supervised.Telemetry, pool, supervised.Captures));
        }
        _metrics = new NodeMetrics([.. _adapters.Select(a => (a.Name, a.Telemetry, a.Pool))], VfpPorts);
        _exporter = new PrometheusExporter(_metrics.Meter);
        _node = NodeSupervisor.Start(System, config.Config.Node, settings);
        AdminEndpoint = config.AdminEndpoint;
        _store = config.Etcd is { } etcd ? new EtcdStore(etcd) : new InMemoryStore();
        Items = ClusterItems.Read(config.Config, config.Source);
        Membership = new MembershipSettings(_store, config.Config.Cluster, config.Config.Node, config.AdminEndpoint.ToString(), TimeSpan.FromSeconds(config.Config.LeaseTtl))
        {
            Items = Items,
            Teams = config.Config.Adapters.Where(a => a.Team is not null).ToDictionary(a => a.Name, a => a.Team!, StringComparer.Ordinal),
        };

        // Leave the cluster first, so peers can take over at once; then stop traffic, unbind, quiesce.
        var shutdown = System.CoordinatedShutdown;
        shutdown.AddTask("before-service-unbind", "leave-cluster", async _ =>
        {
            // The node's items go first, in one transaction, so the coordinator reassigns them while this node still runs.
            if (_coordinator is not null)
                await _coordinator.GracefulStop(TimeSpan.FromSeconds(5));
            if (_ownership is not null)
            {
                try
                {
                    await _ownership.Ask<HandedOver>(HandOver.Instance, TimeSpan.FromSeconds(3));
                }
                catch (Exception e)
                {
                    System.EventStream.Publish(new ActorError(_ownership, $"{config.Config.Node} could not hand its items over ({e.Message}); they move when its lease ends.", e));
                }
            }
            if (_membership is not null)
                await _membership.Ask<LeftCluster>(LeaveCluster.Instance, TimeSpan.FromSeconds(5));
        });
        shutdown.AddTask("before-service-unbind", "stop-filter-agent", async _ =>
        {
            if (_filterAgent is not null)
                await _filterAgent.GracefulStop(TimeSpan.FromSeconds(5));
        });
        shutdown.AddTask("before-service-unbind", "stop-traffic", _ => Task.Run(StopTraffic));
        // The switches close their adapters and bring their buffers home before the node's adapters stop.
        shutdown.AddTask("service-unbind", "stop-vswitches", async _ =>
        {
            if (_vswitches is not null)
                await _vswitches.GracefulStop(TimeSpan.FromSeconds(10));
        });
        shutdown.AddTask("service-unbind", "stop-admin", async ct =>
        {
            if (_admin is not null)
                await _admin.StopAsync(ct);
        });
    }

    public LoadedConfig Config { get; }

    public ActorSystem System { get; }

    /// <summary>The cluster store and this node's place in it, advertising the admin endpoint's bound address.</summary>
    public MembershipSettings Membership { get; private set; }

    /// <summary>The virtual IPs and shards this node can serve (the config's <c>items</c>).</summary>
    public IReadOnlyList<ClusterItem> Items { get; }

    /// <summary>Where the admin endpoint listens: once started, the port it bound (a free one when admin.listen asks for port 0).</summary>
    public IPEndPoint AdminEndpoint { get; private set; }

    /// <summary>The admin endpoint's URL.</summary>
    public string AdminUrl => $"http://{AdminEndpoint}";

    /// <summary>Lab traffic offered to the node's adapters and what came back, latency the first lab's; null where no adapter has a generator (real interfaces).</summary>
    public (long Sent, long Returned, double P99Microseconds)? Traffic
    {
        get
        {
            var labs = _adapters.Select(a => a.Adapter.Traffic).OfType<ILabTraffic>().ToList();
            return labs.Count == 0 ? null : (labs.Sum(l => l.Sent), labs.Sum(l => l.Returned), labs[0].LatencyMicroseconds(99));
        }
    }

    /// <summary>
    /// Starts the node with the providers of <paramref name="providers"/> (default: every provider of this build), its
    /// admin endpoint, then lab traffic. Once <paramref name="stopping"/> is cancelled the remaining steps are skipped
    /// and the node is returned as far as it got, for the caller to shut down.
    /// </summary>
    public static async Task<NodeHost> StartAsync(LoadedConfig config, PdProviderRegistry? providers = null, CancellationToken stopping = default)
    {
        var host = new NodeHost(config, providers ?? PdProviderRegistry.Default);
        if (stopping.IsCancellationRequested)
            return host;
        try
        {
            host._admin = await Admin.AdminEndpoint.StartAsync(host, config.AdminEndpoint, host._exporter);
        }
        catch (Exception e) when (e is IOException or global::System.Net.Sockets.SocketException)
        {
            await host.ShutdownAsync("admin endpoint failed");
            var inUse = false;
            for (var cause = (Exception?)e; cause is not null; cause = cause.InnerException)
                inUse |= cause is Microsoft.AspNetCore.Connections.AddressInUseException or global::System.Net.Sockets.SocketException { SocketErrorCode: global::System.Net.Sockets.SocketError.AddressAlreadyInUse };
            throw new ConfigException($"{config.Source}: admin.listen: cannot listen on {config.AdminEndpoint}: {e.Message}" +
                (inUse ? $" (another process has the port: a node still running? `ss -ltnp 'sport = :{config.AdminEndpoint.Port}'` names it; a node started in the background by a script ignores SIGINT, so stop it with SIGTERM)" : ""));
        }
        host.AdminEndpoint = Admin.AdminEndpoint.Bound(host._admin, config.AdminEndpoint);
        if (await host.LiveHolderAsync(stopping) is { } holder)
        {
            await host.ShutdownAsync("node name taken");
            throw new ConfigException($"{config.Source}: node: '{config.Config.Node}' is already running in cluster '{config.Config.Cluster}' "
                + $"(members/{config.Config.Node} is held by lease {holder.Lease:x}, admin {AdminOf(holder)}); give this node another name or stop that one.");
        }
        host.Membership = host.Membership with { Admin = host.AdminEndpoint.ToString() };
        host._membership = host.System.ActorOf(Props.Create(() => new Membership(host.Membership)), "membership");
        // States reached before membership subscribed; later changes reach it on the event stream.
        foreach (var (name, _, telemetry, pool, _) in host._adapters.Where(a => a.Telemetry.HasReported))
            host._membership.Tell(new AdapterStateChanged(name, telemetry.State, pool.FreeCount, pool.Capacity));
        host._filterAgent = FilterAgent.Start(host.System, new FilterAgentSettings(host._store, config.Config.Cluster, config.Config.Node, host._node,
            [.. config.Config.Adapters.Select(a => new FilterTarget(a.Name, a.Labels ?? [], a.Queues))], config.Filters));
        host._coordinator = Coordinator.Start(host.System, new CoordinatorSettings(host._store, config.Config.Cluster, config.Config.Node));
        host._ownership = OwnershipAgent.Start(host.System, new OwnershipAgentSettings(host._store, config.Config.Cluster, config.Config.Node, host.Items,
            host._adapters.Where(a => a.Adapter.Announcer is not null).ToDictionary(a => a.Name, a => a.Adapter.Announcer!)));
        host.StartTeams();
        host._vswitches = host.System.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(host._store, config.Config.Cluster, host.SwitchFor)
        {
            Node = config.Config.Node, NodeSupervisor = host._node, VfpPorts = host.VfpPorts,
            Teams = [.. config.Config.Adapters.Where(a => a.Team is not null).GroupBy(a => a.Team!, StringComparer.Ordinal).Select(t => new NodeTeam(t.Key, [.. t.Select(a => a.Name)]))],
        }), "vswitches");
        await host.WaitForAdaptersAsync(TimeSpan.FromSeconds(10), stopping);
        if (stopping.IsCancellationRequested)
            return host;
        foreach (var (_, adapter, _, _, _) in host._adapters)
            adapter.Traffic?.Start();
        return host;
    }

    /// <summary>
    /// The member key of this node's name when another lease holds it for longer than a lease TTL (so not the lease of
    /// this node's own earlier run, which ends within one TTL), or null. A store that does not answer is left to
    /// <see cref="Actors.Framework.Membership"/>, which retries.
    /// </summary>
    private async Task<KeyValue?> LiveHolderAsync(CancellationToken stopping)
    {
        var key = $"{Membership.Prefix}members/{Membership.Node}";
        var deadline = DateTime.UtcNow + Membership.Ttl + TimeSpan.FromSeconds(1);
        try
        {
            while (true)
            {
                var held = (await _store.GetAsync(key, stopping)).Items.FirstOrDefault(k => k.Lease != 0);
                if (held is null || DateTime.UtcNow >= deadline)
                    return held;
                await Task.Delay(TimeSpan.FromMilliseconds(250), stopping);
            }
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The admin address a member record names, or "unknown".</summary>
    private static string AdminOf(KeyValue member)
    {
        try
        {
            return JsonSerializer.Deserialize(member.Value, MembershipJson.Default.MemberRecord)?.Admin ?? "unknown";
        }
        catch (JsonException)
        {
            return "unknown";
        }
    }

    /// <summary>Starts a <see cref="TeamFailover"/> per team (after the FilterAgent, which takes its changes), told the states its members already reached.</summary>
    private void StartTeams()
    {
        var adapters = Config.Config.Adapters.Zip(_adapters).Where(a => a.First.Team is not null).ToList();
        foreach (var team in adapters.GroupBy(a => a.First.Team!, StringComparer.Ordinal))
        {
            var settings = new TeamSettings(team.Key, [.. team.Select(a => new TeamMember(a.First.Name, a.Second.Adapter.Info.Mac,
                [.. (a.First.Addresses ?? []).Select(IPAddress.Parse)]) { LinkAddress = a.Second.Adapter.Announcer is { } link ? link.LinkAddress : null })], _node);
            _teams.Add(settings);
            var actor = TeamFailover.Start(System, settings);
            foreach (var (_, (name, _, telemetry, pool, _)) in team.Where(a => a.Second.Telemetry.HasReported))
                actor.Tell(new AdapterStateChanged(name, telemetry.State, pool.FreeCount, pool.Capacity));
        }
    }

    /// <summary>Each team's state as its failover actor last published it.</summary>
    public IReadOnlyList<TeamStatus> Teams => [.. _teams.Select(t => t.Telemetry.Status)];

    /// <summary>Waits until no adapter is still coming up, so traffic does not meet empty rings.</summary>
    private async Task WaitForAdaptersAsync(TimeSpan timeout, CancellationToken stopping)
    {
        var deadline = DateTime.UtcNow + timeout;
        bool Settled() => _adapters.All(a => a.Telemetry.HasReported && a.Telemetry.State != AdapterState.Starting
            && (a.Telemetry.State != AdapterState.Running || a.Telemetry.Queues.All(q => q.Receive.Outstanding > 0)));
        while (!Settled() && DateTime.UtcNow < deadline && !stopping.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None);
    }

    /// <inheritdoc/>
    public async Task<NodeStatus> StatusAsync() => await _node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5)) with { Teams = Teams };

    /// <inheritdoc/>
    public async Task<IReadOnlyList<MemberRecord>> MembersAsync() => (await Cluster.ViewAsync(CancellationToken.None)).Members;

    /// <inheritdoc/>
    public IClusterCatalog Cluster => new StoreCatalog(_store, Config.Config.Cluster);

    /// <inheritdoc/>
    public IVSwitchCatalog VSwitches => new VSwitchCatalog(_store, Config.Config.Cluster);

    /// <inheritdoc/>
    public (string Node, IReadOnlyList<string> Adapters) SwitchAdapters =>
        (Config.Config.Node, [.. Config.Config.Adapters.Select(a => a.Name).Concat(Config.Config.Adapters.Select(a => a.Team).OfType<string>()).Distinct(StringComparer.Ordinal)]);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SwitchStatus>> SwitchStatusAsync()
    {
        try
        {
            return _vswitches is null ? [] : await _vswitches.Ask<IReadOnlyList<SwitchStatus>>(new GetSwitchStatuses(), TimeSpan.FromSeconds(5));
        }
        catch (AskTimeoutException)
        {
            return []; // the agent stopped: the node is shutting down
        }
    }

    /// <summary>
    /// The switch a stored switch record makes on this node, or null when its adapter is not one of the node's. A switch
    /// on a team (its adapter the team's name) has its external port on the team's first member, the others standing by
    /// in the team's order. Its VMs are simulated ones on a simulated adapter (each sends the adapter's generator flows to
    /// the lab's tester, at <see cref="SimulatedVmRate"/>, except those addressed to a VM), network namespaces otherwise (their host ends beside the
    /// adapter's interface).
    /// </summary>
    private SwitchSettings? SwitchFor(SwitchDocument document)
    {
        var members = Config.Config.Adapters.Select((a, i) => (Config: a, Index: i)).Where(a => a.Config.Name == document.Adapter).ToList();
        if (members.Count == 0)
            members = [.. Config.Config.Adapters.Select((a, i) => (Config: a, Index: i)).Where(a => a.Config.Team == document.Adapter)];
        if (members.Count == 0)
            return null;
        var (config, (_, adapter, _, pool, _)) = (members[0].Config, _adapters[members[0].Index]);
        IVmHost vms = config.Provider == "simulated"
            ? new SimulatedVmHost([.. AdapterOptions.Simulated(config).Flows.Where(f => f.DestinationMacOverride is null).Select(f => f with { DestinationMac = SoftNicLab.DefaultTesterMac })], SimulatedVmRate)
            : new NamespaceVmHost(config.Namespace, spec => spec.Address, note => System.EventStream.Publish(new ActorNotice(note))) { NamespacePrefix = Config.Config.VmNamespacePrefix };
        return new SwitchSettings(document.Name, adapter, pool, vms, document.AllowManagementOs, document.VfpEnabled)
        {
            QueueSize = config.QueueSize,
            Standby = [.. members.Skip(1).Select(m => _adapters[m.Index].Adapter)],
            AdapterNames = [.. members.Select(m => m.Config.Name)],
        };
    }

    /// <summary>Frames per second each simulated VM sends.</summary>
    public const long SimulatedVmRate = 10_000;

    /// <inheritdoc/>
    public InjectOutcome Inject(string adapter, DeviceEvent deviceEvent)
    {
        var found = _adapters.Find(a => a.Name == adapter);
        if (found.Adapter is null)
            return InjectOutcome.NoSuchAdapter;
        if (found.Adapter.Injector is not { } injector)
            return InjectOutcome.NotInjectable;
        injector.Inject(deviceEvent);
        return InjectOutcome.Injected;
    }

    /// <inheritdoc/>
    public CaptureStart StartCapture(string adapter, int queue, int snapLength, long count)
    {
        var found = _adapters.Find(a => a.Name == adapter);
        if (found.Adapter is null)
            return new CaptureStart(null, null, $"No adapter named '{adapter}' on this node.", NotFound: true);
        if (queue < 0 || queue >= found.Captures.Count)
            return new CaptureStart(null, null, $"{adapter} has {found.Captures.Count} queue(s), 0 to {found.Captures.Count - 1}; there is no queue {queue}.", NotFound: true);
        var snap = Math.Min(snapLength, found.Pool.BufferSize);
        var ring = new CaptureRing((int)Math.Max(16, BitOperations.RoundUpToPowerOf2((uint)(CaptureRingBytes / (snap + 16))) / 2), snap, count);
        var tap = found.Captures[queue];
        return tap.TryArm(ring, out var refusal)
            ? new CaptureStart(tap, ring, null)
            : new CaptureStart(null, null, $"{adapter} queue {queue}: {refusal}.");
    }

    /// <summary>Every adapter's live queue counters.</summary>
    public IEnumerable<(string Adapter, AdapterState State, IReadOnlyList<QueueTelemetry> Queues)> Telemetry =>
        _adapters.Select(a => (a.Name, a.Telemetry.State, a.Telemetry.Queues));

    /// <summary>Why the node gave up on each adapter it gave up on (empty when none).</summary>
    public IReadOnlyList<string> GivenUp => [.. _adapters.Select(a => a.Telemetry.Failure).OfType<string>()];

    /// <summary>Null when every adapter's pool has all its buffers; otherwise which pools miss how many, with the node's latest errors, which usually say why.</summary>
    public string? MissingBuffers
    {
        get
        {
            var shortPools = _adapters.Where(a => a.Pool.FreeCount != a.Pool.Capacity)
                .Select(a => $"{a.Name}: {a.Pool.Capacity - a.Pool.FreeCount} of {a.Pool.Capacity} buffers are not back in its pool").ToList();
            if (shortPools.Count == 0)
                return null;
            var errors = Errors.Lines;
            return string.Join("; ", shortPools) + (errors.Count == 0 ? " (no error was logged)" : $" (latest errors: {string.Join(" | ", errors.TakeLast(5))})");
        }
    }

    /// <summary>The node's latest error lines, as written to standard error.</summary>
    public RecentErrors Errors { get; } = new();

    /// <summary>Runs coordinated shutdown (once) and releases what the node holds outside the actor system.</summary>
    public async Task ShutdownAsync(string reason)
    {
        await System.CoordinatedShutdown.Run(reason);
        await (_admin?.DisposeAsync() ?? ValueTask.CompletedTask);
        _admin = null;
        _exporter.Dispose();
        _metrics.Dispose();
        foreach (var (_, adapter, _, _, _) in _adapters)
            adapter.Dispose();
        await _store.DisposeAsync();
    }

    private void StopTraffic()
    {
        foreach (var (_, adapter, _, _, _) in _adapters)
            adapter.Traffic?.Stop();
    }
}
