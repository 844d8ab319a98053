using System.Collections.Concurrent;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Queues.Classification;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>Tens of thousands of queue-targeting filters: one receive-filter batch per install or publish, so the adapter compiles its table once each time.</summary>
public sealed class HardwareFilterInstallTests : TestKitBase
{
    private const int Count = 20_000;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly SimulatedLab _lab = new();
    private readonly ConcurrentQueue<string> _calls = new();

    public HardwareFilterInstallTests()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(AdapterStateChanged));
    }

    protected override void AfterTermination() => _lab.Dispose();

    /// <summary><paramref name="count"/> filters named <paramref name="prefix"/>0.., each steering one UDP destination port to queue 0 or 1.</summary>
    private static IEnumerable<string> Hardware(int count, string prefix = "f", int firstPort = 1) =>
        Enumerable.Range(0, count).Select(i =>
            $$"""{ "id": "{{prefix}}{{i}}", "priority": 10, "queue": {{i % 2}}, "match": { "protocol": "udp", "destinationPort": "{{firstPort + i}}" } }""");

    private static CompiledFilterSet Set(long revision, IEnumerable<string> filters) => SimulatedLab.Compile($"[{string.Join(",", filters)}]", revision);

    private AdapterSettings Settings(CompiledFilterSet filters, Func<PdCluster.Provider.ReceiveFilterParameters, bool>? refuse = null) =>
        _lab.Settings(filters: filters) with { OpenProvider = () => new RecordingProvider(_lab.OpenProvider(), _calls, refuse) };

    private IActorRef StartRunning(AdapterSettings settings)
    {
        var adapter = Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0");
        Probe.FishForMessage(m => m is AdapterStateChanged { State: AdapterState.Running }, Generous);
        AwaitAssert(() => _lab.AssertFiltersInForce(settings, settings.Filters), Generous);
        return adapter;
    }

    private static FiltersApplied Publish(IActorRef adapter, CompiledFilterSet filters) =>
        adapter.Ask<FiltersApplied>(new PublishFilters(filters), Generous).GetAwaiter().GetResult();

    private string[] TakeCalls()
    {
        var calls = new List<string>();
        while (_calls.TryDequeue(out var call))
            calls.Add(call);
        return [.. calls];
    }

    [Fact]
    public void Twenty_thousand_receive_filters_are_set_in_one_batch_and_compiled_once()
    {
        var set = Set(1, Hardware(Count));
        Assert.Equal(Count, set.HardwareFilters.Count);

        StartRunning(Settings(set));

        Assert.Equal(["update: clear 0, set 20000"], TakeCalls().Where(c => c.StartsWith("update", StringComparison.Ordinal)));
        Assert.Equal(1, _lab.Adapter.FilterTableCompilations);
        Assert.Equal(Count, _lab.Adapter.FilterCount);
    }

    [Fact]
    public void A_diff_publish_over_twenty_thousand_filters_clears_and_sets_only_the_changed_ones_in_one_batch()
    {
        var first = Set(1, Hardware(Count));
        var settings = Settings(first);
        var adapter = StartRunning(settings);
        TakeCalls();
        var before = _lab.Provider!.InstalledFilters;
        var stale = before.Take(15).Select(f => f.Id).ToHashSet();

        // f0..f9 change port, f10..f14 go away, g0..g4 are new: 15 cleared, 15 set, 19,985 left alone.
        var changed = Hardware(10, firstPort: 30_001);
        var second = Set(2, [.. changed, .. Hardware(Count).Skip(15), .. Hardware(5, "g", 40_001)]);
        Assert.Equal(new FiltersApplied("pd0", 2, Count), Publish(adapter, second));

        var calls = TakeCalls();
        Assert.Equal("update: clear 15, set 15", calls[0]);
        Assert.Equal(stale, calls.Where(c => c.StartsWith("clear ", StringComparison.Ordinal)).Select(c => int.Parse(c.Split(' ')[1])).ToHashSet());
        Assert.Equal(15, calls.Count(c => c.StartsWith("set ", StringComparison.Ordinal)));
        Assert.Equal(31, calls.Length);
        Assert.Equal(2, _lab.Adapter.FilterTableCompilations);
        var after = _lab.Provider!.InstalledFilters;
        Assert.Equal(Count - 15, after.Intersect(before, ReferenceEqualityComparer.Instance).Count());
        _lab.AssertFiltersInForce(settings, second);
    }

    [Fact]
    public void A_refused_filter_in_a_batch_of_twenty_thousand_leaves_the_last_good_set_installed()
    {
        var good = Set(1, Hardware(Count));
        var settings = Settings(good, refuse: p => p.Priority == 66);
        var adapter = StartRunning(settings);
        TakeCalls();
        var installed = _lab.Provider!.InstalledFilters;

        var odd = """{ "id": "odd", "priority": 66, "queue": 1, "match": { "protocol": "icmp" } }""";
        var all = Hardware(Count, firstPort: 30_001).ToList();
        var bad = Set(2, [.. all.Take(Count / 2), odd, .. all.Skip(Count / 2)]);
        var refused = Assert.Throws<FilterSpecException>(() => Publish(adapter, bad));

        Assert.Equal("pd0: filter 'odd': the adapter refused it: priority 66 is not supported.", refused.Message);
        Assert.Empty(TakeCalls());
        Assert.Equal(installed, _lab.Provider!.InstalledFilters);
        Assert.Equal(1, _lab.Adapter.FilterTableCompilations);
        _lab.AssertFiltersInForce(settings, good);
    }
}
