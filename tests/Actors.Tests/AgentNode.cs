using System.Collections.Concurrent;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.DataPath;
using PdCluster.Provider;
using PdCluster.Queues.Classification;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>
/// One simulated node for FilterAgent tests: an actor system of its own with a node supervisor over simulated adapters
/// (each a <see cref="SimulatedLab"/> with traffic), <see cref="Membership"/> and a <see cref="FilterAgent"/> on a shared
/// store; every <see cref="FilterAgentStatus"/> and <see cref="FilterAgentResynced"/> it publishes is recorded. With
/// <c>decorate</c>, each adapter's provider goes through that decorator (to refuse or hold receive filters, say).
/// </summary>
internal sealed class AgentNode : IAsyncDisposable
{
    private readonly List<SimulatedLab> _labs = [];
    private readonly FilterAgentSettings _settings;
    private int _starts;

    public AgentNode(IClusterStore store, string node, IReadOnlyList<FilterSpec>? local = null, Func<IPdProvider, IPdProvider>? decorate = null,
        TimeSpan? publishTimeout = null, params (string Adapter, string[] Labels)[] adapters)
    {
        Name = node;
        Store = store;
        System = ActorSystem.Create(node);
        var localSet = CompiledFilterSet.Compile(local ?? []);
        if (adapters.Length == 0)
            adapters = [("pd0", [])];
        foreach (var (adapter, _) in adapters)
        {
            var lab = new SimulatedLab(rate: 2_000);
            _labs.Add(lab);
            var settings = lab.Settings(filters: localSet) with { Name = adapter };
            if (decorate is not null)
                settings = settings with { OpenProvider = () => decorate(lab.OpenProvider()) };
            Adapters[adapter] = (lab, settings);
        }
        var recorder = System.ActorOf(Props.Create(() => new Recorder(Statuses, Resyncs)), "recorder");
        System.EventStream.Subscribe(recorder, typeof(FilterAgentStatus));
        System.EventStream.Subscribe(recorder, typeof(FilterAgentResynced));
        var supervisor = Supervisor = NodeSupervisor.Start(System, node, [.. Adapters.Values.Select(a => a.Settings)]);
        System.ActorOf(Props.Create(() => new Membership(new MembershipSettings(store, "lab", node, "127.0.0.1:0", TimeSpan.FromSeconds(2)))), "membership");
        _settings = new FilterAgentSettings(store, "lab", node, supervisor, [.. adapters.Select(a => new FilterTarget(a.Adapter, a.Labels, 2))], local ?? [])
        {
            MinRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(400),
            PublishTimeout = publishTimeout ?? TimeSpan.FromSeconds(30),
        };
        Agent = FilterAgent.Start(System, _settings);
    }

    public string Name { get; }

    public IClusterStore Store { get; }

    public ActorSystem System { get; }

    public IActorRef Agent { get; private set; }

    /// <summary>The node supervisor over the adapters.</summary>
    public IActorRef Supervisor { get; }

    public Dictionary<string, (SimulatedLab Lab, AdapterSettings Settings)> Adapters { get; } = [];

    public ConcurrentQueue<FilterAgentStatus> Statuses { get; } = new();

    public ConcurrentQueue<FilterAgentResynced> Resyncs { get; } = new();

    /// <summary>The last status the agent published.</summary>
    public FilterAgentStatus? Last => Statuses.LastOrDefault();

    /// <summary>The revisions the agent applied, in order, each once.</summary>
    public List<long> AppliedRevisions()
    {
        var applied = new List<long>();
        foreach (var s in Statuses)
        {
            if (applied.Count == 0 || applied[^1] != s.AppliedRevision)
                applied.Add(s.AppliedRevision);
        }
        return applied;
    }

    public async Task StopAgentAsync()
    {
        Assert.True(await Agent.GracefulStop(TestTime.DefaultTimeout));
    }

    /// <summary>A new agent, under a name of its own (the stopped one's may still be taken until its parent has seen it stop).</summary>
    public void StartAgent() => Agent = System.ActorOf(Props.Create(() => new FilterAgent(_settings)), $"filter-agent-{++_starts}");

    public Task<FilterAgent.FilterSets> SetsAsync() => Agent.Ask<FilterAgent.FilterSets>(FilterAgent.GetFilterSets.Instance, TestTime.DefaultTimeout);

    /// <summary>What the node wrote under <c>status/&lt;node&gt;</c>.</summary>
    public async Task<MemberStatus?> StoredStatusAsync()
    {
        var item = (await Store.GetAsync($"/pd/lab/status/{Name}")).Items.SingleOrDefault();
        return item is null ? null : JsonSerializer.Deserialize(item.Value, MembershipJson.Default.MemberStatus);
    }

    /// <summary>Each adapter has <paramref name="sets"/>' set in force: receive filters in the adapter, the same table object on every queue.</summary>
    public void AssertInForce(IReadOnlyDictionary<string, CompiledFilterSet> sets)
    {
        foreach (var (name, (lab, settings)) in Adapters)
            lab.AssertFiltersInForce(settings, sets[name]);
    }

    public async ValueTask DisposeAsync()
    {
        await System.CoordinatedShutdown.Run("test over");
        foreach (var lab in _labs)
            lab.Dispose();
    }

    private sealed class Recorder(ConcurrentQueue<FilterAgentStatus> statuses, ConcurrentQueue<FilterAgentResynced> resyncs) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case FilterAgentStatus status:
                    statuses.Enqueue(status);
                    break;
                case FilterAgentResynced resynced:
                    resyncs.Enqueue(resynced);
                    break;
            }
        }
    }
}
