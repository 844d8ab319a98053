using System.Collections.Concurrent;
using System.Diagnostics;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.Provider;

namespace PdCluster.Tests.Actors;

/// <summary>
/// One node of the cross-host failover tests: an actor system of its own with <see cref="Membership"/> (declaring
/// shard items), a <see cref="Coordinator"/> and an <see cref="OwnershipAgent"/> on a shared store, and optionally
/// simulated adapters (pd0, pd1, …) under a node supervisor. What the node publishes is recorded with the time it arrived; the items
/// the agent serves are tracked as it says.
/// </summary>
internal sealed class FailoverNode : IAsyncDisposable
{
    private readonly List<SimulatedLab> _labs = [];
    private readonly IActorRef _membership;
    private readonly IActorRef _ownership;
    private bool _terminated;

    /// <param name="items">Shards the node declares, and <paramref name="vips"/> the VIPs, announced on adapter pd0 through <paramref name="announcer"/> (none: not announced).</param>
    /// <param name="adapters">How many simulated adapters the node runs.</param>
    /// <param name="teams">Each teamed adapter's team name.</param>
    public FailoverNode(IClusterStore store, string cluster, string node, IReadOnlyList<string> items, TimeSpan ttl, int adapters = 0,
        IReadOnlyList<ClusterItem>? vips = null, IAddressAnnouncer? announcer = null, IReadOnlyDictionary<string, string>? teams = null)
    {
        Name = node;
        System = ActorSystem.Create(node);
        var recorder = System.ActorOf(Props.Create(() => new Recorder(this)), "recorder");
        foreach (var type in new[] { typeof(CoordinatorElected), typeof(OwnersAssigned), typeof(ItemOwned), typeof(ItemReleased) })
            System.EventStream.Subscribe(recorder, type);
        _labs.AddRange(Enumerable.Range(0, adapters).Select(_ => new SimulatedLab(rate: 1_000)));
        if (adapters > 0)
            NodeSupervisor.Start(System, node, [.. _labs.Select((lab, i) => lab.Settings() with { Name = $"pd{i}" })]);
        IReadOnlyList<ClusterItem> declared = [.. items.Select(i => new ClusterItem(i, ClusterItemKind.Shard)), .. vips ?? []];
        _membership = System.ActorOf(Props.Create(() => new Membership(new MembershipSettings(store, cluster, node, "127.0.0.1:0", ttl) { Items = declared, Teams = teams ?? new Dictionary<string, string>() })), "membership");
        Coordinator.Start(System, new CoordinatorSettings(store, cluster, node) { RetryDelay = TimeSpan.FromMilliseconds(100) });
        var announcers = new Dictionary<string, IAddressAnnouncer>();
        if (announcer is not null)
            announcers["pd0"] = announcer;
        _ownership = OwnershipAgent.Start(System, new OwnershipAgentSettings(store, cluster, node, declared, announcers) { RetryDelay = TimeSpan.FromMilliseconds(100) });
    }

    public string Name { get; }

    public ActorSystem System { get; }

    /// <summary>Everything the node published, with <see cref="Stopwatch.GetTimestamp"/> on arrival.</summary>
    public ConcurrentQueue<(long At, object Event)> Events { get; } = new();

    /// <summary>The items the agent serves now.</summary>
    public ConcurrentDictionary<string, long> Serving { get; } = new();

    public bool Alive => !_terminated;

    public bool Elected => Events.Any(e => e.Event is CoordinatorElected);

    /// <summary>When this node's agent last took <paramref name="item"/> (a <see cref="Stopwatch"/> timestamp), or null.</summary>
    public long? TookAt(string item) => Events.Where(e => e.Event is ItemOwned o && o.Item.Id == item).Select(e => (long?)e.At).LastOrDefault();

    /// <summary>Surprise removal (or arrival) of the node's simulated adapter pd<paramref name="adapter"/>.</summary>
    public void Inject(DeviceEvent deviceEvent, int adapter = 0) => _labs[adapter].Adapter.Inject(deviceEvent);

    /// <summary>The node dies: its actors stop without leaving, so its lease runs out in a TTL.</summary>
    public async Task KillAsync()
    {
        _terminated = true;
        await System.Terminate();
        Serving.Clear();
    }

    /// <summary>The node leaves as a shutdown makes it: hands its items over, leaves the membership, stops.</summary>
    public async Task<HandedOver> LeaveAsync()
    {
        var handed = await _ownership.Ask<HandedOver>(HandOver.Instance, TimeSpan.FromSeconds(10));
        await _membership.Ask<LeftCluster>(LeaveCluster.Instance, TimeSpan.FromSeconds(10));
        await KillAsync();
        return handed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_terminated)
            await KillAsync();
        foreach (var lab in _labs)
            lab.Dispose();
    }

    private sealed class Recorder(FailoverNode node) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            node.Events.Enqueue((Stopwatch.GetTimestamp(), message));
            if (message is ItemOwned owned)
                node.Serving[owned.Item.Id] = owned.Revision;
            else if (message is ItemReleased released)
                node.Serving.TryRemove(released.Item, out _);
        }
    }
}
