using System.Collections.Concurrent;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Provider;
using PdCluster.Queues.Classification;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class FilterPublishTests : TestKitBase
{
    private const string Web = """{ "id": "web", "priority": 20, "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80" } }""";
    private const string Dns = """{ "id": "dns", "priority": 30, "queue": 1, "match": { "protocol": "udp", "destinationPort": "53" } }""";
    private const string Other = """{ "id": "other", "priority": 40, "queue": 0, "context": 7, "match": { "protocol": "udp", "destinationPort": "9999" } }""";
    private const string Rest = """{ "id": "rest", "priority": 100 }""";

    private readonly SimulatedLab _lab = new();
    private readonly ConcurrentQueue<string> _calls = new();

    public FilterPublishTests()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(AdapterStateChanged));
    }

    protected override void AfterTermination() => _lab.Dispose();

    private static CompiledFilterSet Set(long revision, params string[] filters) => SimulatedLab.Compile($"[{string.Join(",", filters)}]", revision);

    private AdapterSettings Settings(CompiledFilterSet filters, Func<IReadOnlyList<IPacketStage>>? stages = null, Func<ReceiveFilterParameters, bool>? refuse = null) =>
        _lab.Settings(filters: filters, stages: stages) with { OpenProvider = () => new RecordingProvider(_lab.OpenProvider(), _calls, refuse) };

    private IActorRef Supervise(AdapterSettings settings) => Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0");

    private void ExpectState(AdapterState state) =>
        Probe.FishForMessage(m => m is AdapterStateChanged c && c.State == state, TimeSpan.FromSeconds(5));

    private static FiltersApplied Publish(IActorRef adapter, CompiledFilterSet filters) =>
        adapter.Ask<FiltersApplied>(new PublishFilters(filters), TestTime.DefaultTimeout).GetAwaiter().GetResult();

    private string[] TakeCalls()
    {
        var calls = new List<string>();
        while (_calls.TryDequeue(out var call))
            calls.Add(call);
        return [.. calls];
    }

    [Fact]
    public void A_publish_that_changes_one_filter_clears_one_and_sets_one_receive_filter_in_one_batch()
    {
        var first = Set(1, Web, Dns, Other, Rest);
        var settings = Settings(first);
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, first));
        var opened = TakeCalls();
        Assert.Equal("update: clear 0, set 3", opened[0]);
        Assert.Equal(4, opened.Length);
        var before = _lab.Provider!.InstalledFilters.ToDictionary(f => f.Parameters.Priority);

        var second = Set(2, Web, Dns.Replace("\"53\"", "\"5353\""), Other, Rest);
        var applied = Publish(adapter, second);

        Assert.Equal(new FiltersApplied("pd0", 2, 4), applied);
        var calls = TakeCalls();
        Assert.Equal(3, calls.Length);
        Assert.Equal("update: clear 1, set 1", calls[0]);
        Assert.Equal($"clear {before[30].Id} priority 30", calls[1]);
        Assert.StartsWith("set ", calls[2]);
        Assert.EndsWith(" priority 30", calls[2]);
        var after = _lab.Provider!.InstalledFilters.ToDictionary(f => f.Parameters.Priority);
        Assert.Same(before[20], after[20]);
        Assert.Same(before[40], after[40]);
        Assert.NotEqual(before[30].Id, after[30].Id);
        _lab.AssertFiltersInForce(settings, second);
    }

    /// <summary>Filter <paramref name="id"/>'s hits, summed over the queues' tables in force.</summary>
    private static long Hits(AdapterSettings settings, string id) =>
        settings.Telemetry.Queues.Select(q => q.Filters).OfType<FilterTable>().Sum(t => t.Specs.Select((s, i) => s.Id == id ? t.Hits(i) : 0).Sum());

    [Fact]
    public void A_publish_keeps_the_hits_of_the_filters_that_stay_as_they_were_and_starts_a_changed_one_at_zero()
    {
        var settings = Settings(Set(1, Web, Dns, Rest));
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        AwaitCondition(() => Hits(settings, "web") >= 5000 && Hits(settings, "dns") >= 5000, TimeSpan.FromSeconds(30));
        var web = Hits(settings, "web");

        // web stays (compiled afresh, equal in every field); dns now matches a port the generator never sends to.
        Publish(adapter, Set(2, Web, Dns.Replace("\"53\"", "\"5353\""), Other, Rest));

        Assert.True(Hits(settings, "web") >= web, $"web had {web} hits before the publish and {Hits(settings, "web")} after");
        Assert.Equal(0, Hits(settings, "dns"));
        AwaitCondition(() => Hits(settings, "other") > 0, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_published_set_stays_in_force_across_disable_and_enable()
    {
        var settings = Settings(Set(1, Web, Rest));
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        var published = Set(2, Dns, Other, Rest);
        Publish(adapter, published);
        _lab.AssertFiltersInForce(settings, published);

        _lab.Adapter.Inject(DeviceEvent.Disable);
        ExpectState(AdapterState.Quiesced);
        _lab.Adapter.Inject(DeviceEvent.Enable);
        ExpectState(AdapterState.Running);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, published));
    }

    [Fact]
    public void A_set_published_while_quiesced_is_installed_on_the_next_open()
    {
        var settings = Settings(Set(1, Web, Rest));
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        _lab.Adapter.Inject(DeviceEvent.LowPower);
        ExpectState(AdapterState.Quiesced);
        // The provider's teardown (clearing its filters) runs in the background after the state is announced.
        AwaitCondition(() => _lab.Adapter.FilterCount == 0, TimeSpan.FromSeconds(5));
        TakeCalls();

        var published = Set(2, Web, Dns, Other);
        Assert.Equal(new FiltersApplied("pd0", 2, 3), Publish(adapter, published));
        Assert.Empty(TakeCalls());
        Assert.Equal(0, _lab.Adapter.FilterCount);

        _lab.Adapter.Inject(DeviceEvent.FullPower);
        ExpectState(AdapterState.Running);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, published));
    }

    [Fact]
    public void A_set_that_targets_a_missing_queue_is_refused_and_the_last_good_set_stays()
    {
        var good = Set(1, Web, Dns, Rest);
        var settings = Settings(good);
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, good));
        TakeCalls();

        var bad = Set(2, Web, """{ "id": "far", "priority": 5, "queue": 5, "match": { "protocol": "udp" } }""");
        var refused = Assert.Throws<FilterSpecException>(() => Publish(adapter, bad));

        Assert.Equal("pd0: filter 'far': queue 5 does not exist (queues 0..1).", refused.Message);
        Assert.Empty(TakeCalls());
        _lab.AssertFiltersInForce(settings, good);
    }

    [Fact]
    public void A_receive_filter_the_adapter_refuses_changes_nothing_and_the_last_good_set_stays()
    {
        var good = Set(1, Web, Dns, Rest);
        var settings = Settings(good, refuse: p => p.Priority == 66);
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, good));
        TakeCalls();
        var installed = _lab.Provider!.InstalledFilters;
        var compilations = _lab.Adapter.FilterTableCompilations;

        var bad = Set(2, Web, Other, """{ "id": "odd", "priority": 66, "queue": 1, "match": { "protocol": "icmp" } }""");
        var refused = Assert.Throws<FilterSpecException>(() => Publish(adapter, bad));

        Assert.Equal("pd0: filter 'odd': the adapter refused it: priority 66 is not supported.", refused.Message);
        Assert.Empty(TakeCalls());
        Assert.Equal(installed, _lab.Provider!.InstalledFilters);
        Assert.Equal(compilations, _lab.Adapter.FilterTableCompilations);
        _lab.AssertFiltersInForce(settings, good);
        var next = Set(3, Web, Other);
        Assert.Equal(3, Publish(adapter, next).Revision);
        _lab.AssertFiltersInForce(settings, next);
    }

    [Fact]
    public void A_set_published_while_closed_that_the_adapter_refuses_at_reopen_leaves_the_last_installed_set_and_says_so()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(ActorError));
        var good = Set(1, Web, Rest);
        var settings = Settings(good, refuse: p => p.Priority == 66);
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        _lab.Adapter.Inject(DeviceEvent.LowPower);
        ExpectState(AdapterState.Quiesced);
        var bad = Set(2, Web, """{ "id": "odd", "priority": 66, "queue": 1, "match": { "protocol": "icmp" } }""", Rest);
        Assert.Equal(2, Publish(adapter, bad).Revision);

        _lab.Adapter.Inject(DeviceEvent.FullPower);

        const string message = "pd0: filter 'odd': the adapter refused it: priority 66 is not supported.; revision 2, published while the adapter was closed, is not in force: revision 1 is.";
        var error = (ActorError)Probe.FishForMessage(m => m is ActorError, TimeSpan.FromSeconds(5));
        Assert.Equal(message, error.Message);
        ExpectState(AdapterState.Running);
        Assert.Equal(message, settings.Telemetry.Error);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, good));
        // A later good publish puts its set in force.
        var next = Set(3, Dns, Rest);
        Assert.Equal(3, Publish(adapter, next).Revision);
        _lab.AssertFiltersInForce(settings, next);
    }

    [Fact]
    public void A_restarted_queue_comes_back_with_the_published_table()
    {
        var fail = 0;
        var settings = Settings(Set(1, Web, Rest), stages: () => [new FailOnDemand(() => Interlocked.Exchange(ref fail, 0) == 1), new L2ForwardStage()]);
        var adapter = Supervise(settings);
        ExpectState(AdapterState.Running);
        var published = Set(2, Dns, Other, Rest);
        Publish(adapter, published);

        var failures = ExpectFailure<InvalidOperationException>(() => Volatile.Write(ref fail, 1));

        Assert.Equal(Directive.Restart, failures[0].Directive);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, published));
    }

    private sealed class FailOnDemand(Func<bool> fail) : IPacketStage
    {
        public void Process(PacketBurst burst)
        {
            if (fail())
                throw new InvalidOperationException("stage bug");
        }
    }
}
