using System.Collections.Concurrent;
using System.Globalization;
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
/// store; every <see cref="FilterAgentStatus"/> and <see cref="FilterAgentResynced"/> it publishes is recorded, and so is
/// every <see cref="FiltersApplied"/> an adapter supervisor answers the agent (the adapter's own word that a set is in force).
/// With <c>decorate</c>, each adapter's provider goes through that decorator (to refuse or hold receive filters, say).
/// </summary>
internal sealed class AgentNode : IAsyncDisposable
{
    private readonly List<SimulatedLab> _labs = [];
    private readonly FilterAgentSettings _settings;
    private IActorRef _recorder;
    private int _starts;

    public AgentNode(IClusterStore store, string node, IReadOnlyList<FilterSpec>? local = null, Func<IPdProvider, IPdProvider>? decorate = null,
        TimeSpan? publishTimeout = null, (TimeSpan Quiet, TimeSpan Max)? settle = null, TimeSpan? watchCheck = null, params (string Adapter, string[] Labels)[] adapters)
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
        _recorder = Record(Statuses);
        var supervisor = Supervisor = NodeSupervisor.Start(System, node, [.. Adapters.Values.Select(a => a.Settings)]);
        System.ActorOf(Props.Create(() => new Membership(new MembershipSettings(store, "lab", node, "127.0.0.1:0", TimeSpan.FromSeconds(2)))), "membership");
        var applied = System.ActorOf(Props.Create(() => new AppliedRecorder(supervisor, Applied)), "applied-recorder");
        _settings = new FilterAgentSettings(store, "lab", node, applied, [.. adapters.Select(a => new FilterTarget(a.Adapter, a.Labels, 2))], local ?? [])
        {
            MinRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(400),
            PublishTimeout = publishTimeout ?? TimeSpan.FromSeconds(30),
        };
        if (watchCheck is { } check)
            _settings = _settings with { WatchCheck = check };
        if (settle is { } window)
            _settings = _settings with { SettleQuiet = window.Quiet, SettleMax = window.Max };
        Agent = FilterAgent.Start(System, _settings);
    }

    public string Name { get; }

    public IClusterStore Store { get; }

    public ActorSystem System { get; }

    public IActorRef Agent { get; private set; }

    /// <summary>The node supervisor over the adapters.</summary>
    public IActorRef Supervisor { get; }

    public Dictionary<string, (SimulatedLab Lab, AdapterSettings Settings)> Adapters { get; } = [];

    /// <summary>The statuses the running agent published (a restarted agent's start afresh).</summary>
    public ConcurrentQueue<FilterAgentStatus> Statuses { get; private set; } = new();

    /// <summary>The statuses of each agent stopped before, in order.</summary>
    public List<ConcurrentQueue<FilterAgentStatus>> EarlierStatuses { get; } = [];

    /// <summary>Every set an adapter supervisor confirmed in force to the agent, in the order it confirmed them.</summary>
    public ConcurrentQueue<FiltersApplied> Applied { get; } = new();

    public ConcurrentQueue<FilterAgentResynced> Resyncs { get; } = new();

    /// <summary>Every <see cref="ActorError"/> the node's actors published, as its log shows them.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>The last status the agent published.</summary>
    public FilterAgentStatus? Last => Statuses.LastOrDefault();

    /// <summary>The revisions the agent applied (or the one whose <paramref name="statuses"/> these are), in order, each once.</summary>
    public List<long> AppliedRevisions(IEnumerable<FilterAgentStatus>? statuses = null) => Distinct((statuses ?? Statuses).Select(s => s.AppliedRevision));

    /// <summary>The revisions of the sets <paramref name="adapter"/> confirmed in force, in order, each once (an adapter that came to Running is given the newest set again).</summary>
    public List<long> AdapterRevisions(string adapter = "pd0") => Distinct(Applied.Where(a => a.Adapter == adapter).Select(a => a.Revision));

    /// <summary>What a timed-out wait found: the agent's last status and every error the node's actors published.</summary>
    public string Describe() =>
        $"{Name} published {Statuses.Count} statuses, the last at revision {Last?.AppliedRevision.ToString(CultureInfo.InvariantCulture) ?? "none"}" +
        $" (store error: {Last?.StoreError ?? "none"}; refused: [{string.Join(" | ", (Last?.Rejected ?? []).Take(3).Select(r => $"{r.Id}: {r.Error}"))}]);" +
        $" {Resyncs.Count} resyncs; errors: [{string.Join(" | ", Errors)}]";

    public async Task StopAgentAsync()
    {
        Assert.True(await Agent.GracefulStop(TestTime.DefaultTimeout));
    }

    /// <summary>
    /// A new agent, under a name of its own (the stopped one's may still be taken until its parent has seen it stop).
    /// Its statuses are recorded apart: the stopped agent's, all told to the old recorder by now, move to <see cref="EarlierStatuses"/>.
    /// </summary>
    public void StartAgent()
    {
        System.EventStream.Unsubscribe(_recorder);
        EarlierStatuses.Add(Statuses);
        Statuses = new ConcurrentQueue<FilterAgentStatus>();
        _recorder = Record(Statuses);
        Agent = System.ActorOf(Props.Create(() => new FilterAgent(_settings)), $"filter-agent-{++_starts}");
    }

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

    private IActorRef Record(ConcurrentQueue<FilterAgentStatus> statuses)
    {
        var recorder = System.ActorOf(Props.Create(() => new Recorder(statuses, Resyncs, Errors)), $"recorder-{EarlierStatuses.Count}");
        System.EventStream.Subscribe(recorder, typeof(FilterAgentStatus));
        System.EventStream.Subscribe(recorder, typeof(FilterAgentResynced));
        System.EventStream.Subscribe(recorder, typeof(ActorError));
        return recorder;
    }

    /// <summary><paramref name="revisions"/> without repeats in a row.</summary>
    private static List<long> Distinct(IEnumerable<long> revisions)
    {
        var distinct = new List<long>();
        foreach (var r in revisions)
        {
            if (distinct.Count == 0 || distinct[^1] != r)
                distinct.Add(r);
        }
        return distinct;
    }

    public async ValueTask DisposeAsync()
    {
        await System.CoordinatedShutdown.Run("test over");
        foreach (var lab in _labs)
            lab.Dispose();
    }

    /// <summary>
    /// Stands between the agent and the node supervisor: passes each publish on, and records the adapter supervisor's
    /// <see cref="FiltersApplied"/> before handing it (or its refusal) back to the agent; everything else passes through.
    /// </summary>
    private sealed class AppliedRecorder(IActorRef supervisor, ConcurrentQueue<FiltersApplied> applied) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is ToAdapter { Message: PublishFilters } to)
            {
                supervisor.Ask<FiltersApplied>(to, TestTime.DefaultTimeout).PipeTo(Sender, done =>
                {
                    applied.Enqueue(done);
                    return done;
                }, e => new StatusFailure(e));
            }
            else
            {
                supervisor.Tell(message, Sender);
            }
        }
    }

    private sealed class Recorder(ConcurrentQueue<FilterAgentStatus> statuses, ConcurrentQueue<FilterAgentResynced> resyncs, ConcurrentQueue<string> errors) : ActorBase
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
                case ActorError error:
                    errors.Enqueue(error.Message);
                    break;
            }
        }
    }
}
