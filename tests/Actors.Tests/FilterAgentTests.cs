using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.DataPath;
using PdCluster.Provider;
using PdCluster.Queues.Classification;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>FilterAgents on simulated nodes sharing one real <see cref="InMemoryStore"/>, with real adapter supervisors and traffic.</summary>
public sealed class FilterAgentTests : IAsyncLifetime
{
    private readonly InMemoryStore _store = new(tick: TimeSpan.FromMilliseconds(20));
    private readonly List<AgentNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.DisposeAsync();
        await _store.DisposeAsync();
    }

    private AgentNode Node(string name, IClusterStore? store = null, IReadOnlyList<FilterSpec>? local = null, Func<IPdProvider, IPdProvider>? decorate = null,
        TimeSpan? publishTimeout = null, (TimeSpan Quiet, TimeSpan Max)? settle = null, TimeSpan? watchCheck = null, params (string, string[])[] adapters)
    {
        var node = new AgentNode(store ?? _store, name, local, decorate, publishTimeout, settle, watchCheck, adapters);
        _nodes.Add(node);
        return node;
    }

    internal static string Doc(string id, int port, int priority = 10, string scope = "", int queue = 1) =>
        "{\"schemaVersion\":1,\"filter\":{\"id\":\"" + id + "\",\"priority\":" + priority + ",\"action\":\"count\",\"queue\":" + queue
        + ",\"match\":{\"protocol\":\"udp\",\"destinationPort\":\"" + port + "\"}}" + scope + "}";

    private Task<long> Put(string id, string document) => _store.PutAsync($"/pd/lab/filters/{id}", document);

    /// <summary>Waits for <paramref name="condition"/>; a timeout names <paramref name="what"/> and, with <paramref name="explain"/>, the state it found.</summary>
    internal static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 30, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow + TestTime.Dilated(TimeSpan.FromSeconds(seconds));
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
                Assert.Fail($"timed out waiting for {what}" + (explain is null ? "" : $": {explain()}"));
            await Task.Delay(20);
        }
    }

    internal static Task Eventually(Func<bool> condition, string what, double seconds = 30, Func<string>? explain = null) =>
        Eventually(() => Task.FromResult(condition()), what, seconds, explain);

    internal static string[] Describe(CompiledFilterSet set) =>
        [.. set.Specs.Select(s => $"{s.Id}/{s.Priority}/{s.Action}/{s.Queue}/{string.Join(",", (s.Match ?? []).Select(m => $"{m.Key}={m.Value}"))}")];

    internal static async Task AwaitApplied(AgentNode node, long revision) =>
        await Eventually(() => node.Last?.AppliedRevision >= revision, $"{node.Name} to apply revision {revision}");

    [Fact]
    public async Task A_thousand_changes_from_two_writers_reach_three_agents_in_the_same_order_and_every_one_ends_on_the_same_revision_and_set()
    {
        var nodes = new[] { Node("n1"), Node("n2"), Node("n3") };
        foreach (var node in nodes)
            await Eventually(() => node.Last is not null, $"{node.Name}'s first read");
        var start = nodes.Max(n => n.Last!.AppliedRevision);

        // Two writers, 500 changes each, on 16 ids of their own: puts (new and changed) and deletes.
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            var present = new HashSet<string>();
            for (var i = 0; i < 500; i++)
            {
                var id = $"w{w}-{i % 16}";
                if (present.Contains(id) && i % 3 == 0)
                {
                    revisions.Add(await _store.DeleteAsync($"/pd/lab/filters/{id}"));
                    present.Remove(id);
                }
                else
                {
                    revisions.Add(await Put(id, Doc(id, 1000 + i, priority: i % 7)));
                    present.Add(id);
                }
            }
            return revisions;
        })).ToList();
        var written = (await Task.WhenAll(writers)).SelectMany(r => r).Order().ToList();
        Assert.Equal(1000, written.Count);
        Assert.Equal(1000, written.Distinct().Count());
        Assert.All(written, r => Assert.True(r > start));

        foreach (var node in nodes)
            await AwaitApplied(node, written[^1]);
        var sets = new List<CompiledFilterSet>();
        foreach (var node in nodes)
        {
            // The first revision is the full read; after it, changes in store order, each revision whole: those that
            // queued up during a publish go out together, so each applied revision is a write's, rising, ending on the last.
            var applied = node.AppliedRevisions().Skip(1).ToList();
            Assert.Equal(applied.Order(), applied);
            Assert.All(applied, r => Assert.Contains(r, written));
            Assert.Equal(written[^1], applied[^1]);
            var current = await node.SetsAsync();
            Assert.Equal(written[^1], current.AppliedRevision);
            Assert.Empty(current.Rejected);
            sets.Add(current.Sets["pd0"]);
            node.AssertInForce(current.Sets);
            await Eventually(async () => (await node.StoredStatusAsync())?.Filters?.AppliedRevision == written[^1], $"{node.Name}'s status in the store");
        }
        var expected = (await _store.RangeAsync("/pd/lab/filters/")).Items.Select(i => ClusterFilter.Read(i.Value, i.Key).Filter.Id).ToArray();
        Assert.Equal(expected, sets[0].Specs.Select(s => s.Id));
        Assert.Equal(Describe(sets[0]), Describe(sets[1]));
        Assert.Equal(Describe(sets[0]), Describe(sets[2]));
    }

    [Fact]
    public async Task A_restarted_agent_reads_everything_again_and_applies_what_changed_while_it_was_stopped()
    {
        var node = Node("n1");
        var first = await Put("a", Doc("a", 53));
        await Put("b", Doc("b", 54));
        await AwaitApplied(node, first + 1);
        await node.StopAgentAsync();

        await _store.DeleteAsync("/pd/lab/filters/a");
        await Put("b", Doc("b", 5454));
        var last = await Put("c", Doc("c", 55));
        node.StartAgent();

        await Eventually(async () => (await node.SetsAsync()).AppliedRevision >= last, "the restarted agent to catch up");
        var sets = await node.SetsAsync();
        Assert.Equal(["b", "c"], sets.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Equal("5454", sets.Sets["pd0"].Specs[0].Match!["destinationPort"]);
        node.AssertInForce(sets.Sets);

        // And it watches on from there.
        var next = await Put("d", Doc("d", 56));
        await AwaitApplied(node, next);
        Assert.Equal(["b", "c", "d"], (await node.SetsAsync()).Sets["pd0"].Specs.Select(s => s.Id));
    }

    [Fact]
    public async Task A_watch_that_lost_its_history_to_compaction_reads_everything_again_and_reports_the_difference()
    {
        // History of 20 changes: the agent's watch is cut while 100 changes go in, so resuming it finds them compacted.
        await using var small = new InMemoryStore(historyLimit: 20, tick: TimeSpan.FromMilliseconds(20));
        var store = new FlakyStore(small);
        var node = Node("n1", store);
        await small.PutAsync("/pd/lab/filters/gone", Doc("gone", 1));
        var kept = await small.PutAsync("/pd/lab/filters/kept", Doc("kept", 2));
        await AwaitApplied(node, kept);

        store.GoDown();
        await Eventually(() => node.Last?.StoreError is not null, "the agent to notice the store is down");
        await small.DeleteAsync("/pd/lab/filters/gone");
        for (var i = 0; i < 100; i++)
            await small.PutAsync($"/pd/lab/filters/f{i % 10}", Doc($"f{i % 10}", 3000 + i));
        var last = await small.PutAsync("/pd/lab/filters/kept", Doc("kept", 22));
        store.ComeBack();

        await AwaitApplied(node, last);
        Assert.Null(node.Last!.StoreError);
        var resynced = Assert.Single(node.Resyncs);
        Assert.Equal((10, 1, 1), (resynced.Added, resynced.Removed, resynced.Changed));
        var sets = await node.SetsAsync();
        Assert.Equal(["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "kept"], sets.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Equal("3099", sets.Sets["pd0"].Specs[9].Match!["destinationPort"]);
        node.AssertInForce(sets.Sets);
    }

    [Fact]
    public async Task A_watch_that_falls_silent_behind_the_store_is_caught_up_by_a_full_read_at_the_next_checks() =>
        await SilentWatchIsCaughtUpAsync(_store, store => Node("n1", store, watchCheck: SilentWatchCheck));

    /// <summary>How often the agents of the silent-watch tests compare their watch with the store.</summary>
    internal static readonly TimeSpan SilentWatchCheck = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The agent's watch on <paramref name="store"/> falls silent (<see cref="SilentWatchStore"/>) and then a filter is
    /// changed, one added and one deleted: the agent ends on the store's set at the store's revision through the full
    /// read its checks fall back to, its log and resync say so, and the new watch it starts delivers the next change.
    /// </summary>
    internal static async Task SilentWatchIsCaughtUpAsync(IClusterStore store, Func<IClusterStore, AgentNode> start)
    {
        const string P = "/pd/lab/filters/";
        var silent = new SilentWatchStore(store);
        var node = start(silent);
        await store.PutAsync(P + "a", Doc("a", 53));
        var before = await store.PutAsync(P + "b", Doc("b", 54));
        await AwaitApplied(node, before);

        silent.Silence();
        await store.PutAsync(P + "c", Doc("c", 55));
        await store.PutAsync(P + "b", Doc("b", 56));
        var last = await store.DeleteAsync(P + "a");
        await AwaitApplied(node, last);
        Assert.Equal(last, node.Last!.AppliedRevision);
        Assert.True(silent.Swallowed >= 3, $"the silenced watch swallowed {silent.Swallowed} events");
        Assert.Contains(node.Errors, e => e.Contains("the filter watch delivered nothing past revision") && e.Contains("reading every filter again"));
        var resynced = Assert.Single(node.Resyncs);
        Assert.Equal((last, 1, 1, 1), (resynced.Revision, resynced.Added, resynced.Removed, resynced.Changed));
        var sets = await node.SetsAsync();
        Assert.Equal(["b", "c"], sets.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Equal("56", sets.Sets["pd0"].Specs[0].Match!["destinationPort"]);
        node.AssertInForce(sets.Sets);

        var next = await store.PutAsync(P + "d", Doc("d", 57));
        await AwaitApplied(node, next);
        Assert.Single(node.Resyncs);
        Assert.Equal(["b", "c", "d"], (await node.SetsAsync()).Sets["pd0"].Specs.Select(s => s.Id));
    }

    [Fact]
    public async Task While_the_store_is_down_the_last_set_stays_in_force_the_status_says_so_and_retries_pick_up_where_it_left()
    {
        var store = new FlakyStore(_store);
        var node = Node("n1", store);
        var first = await Put("a", Doc("a", 53));
        await AwaitApplied(node, first);
        var before = await node.SetsAsync();
        var applied = node.Last!.AppliedRevision;

        store.GoDown();
        await Eventually(() => node.Last?.StoreError is { } e && e.Contains("unreachable"), "the status to say the store is down");
        Assert.Contains($"the filters of revision {applied} stay in force", node.Last!.StoreError);
        var during = await node.SetsAsync();
        Assert.Same(before.Sets["pd0"], during.Sets["pd0"]);
        node.AssertInForce(during.Sets);
        var next = await Put("b", Doc("b", 54));
        await Task.Delay(TestTime.Dilated(TimeSpan.FromMilliseconds(300)));
        Assert.True(node.Last!.AppliedRevision < next);

        store.ComeBack();
        await AwaitApplied(node, next);
        Assert.Null(node.Last!.StoreError);
        Assert.Equal(["a", "b"], (await node.SetsAsync()).Sets["pd0"].Specs.Select(s => s.Id));
        await Eventually(async () => (await node.StoredStatusAsync())?.Filters is { StoreError: null } f && f.AppliedRevision >= next, "the status in the store to recover");
    }

    [Fact]
    public async Task A_backlog_of_revisions_is_applied_together_in_order_in_fewer_publishes_and_ends_on_the_stores_set()
    {
        var store = new FlakyStore(_store);
        var node = Node("n1", store);
        var first = await Put("keep", Doc("keep", 53));
        await AwaitApplied(node, first);
        store.GoDown();
        await Eventually(() => node.Last?.StoreError is not null, "the status to say the store is down");

        // 200 revisions while the agent cannot watch: puts, changes and deletes, which its resumed watch then delivers at once.
        var written = new List<long>();
        for (var i = 0; i < 200; i++)
            written.Add(i % 5 == 4 ? await _store.DeleteAsync($"/pd/lab/filters/b{i - 1}") : await Put($"b{i}", Doc($"b{i}", 2000 + i)));
        var before = node.AppliedRevisions().Count;
        store.ComeBack();
        await AwaitApplied(node, written[^1]);

        var applied = node.AppliedRevisions().Skip(before).ToList();
        Assert.Equal(applied.Order(), applied);
        Assert.All(applied, r => Assert.Contains(r, written));
        Assert.Equal(written[^1], applied[^1]);
        Assert.True(applied.Count < written.Count / 2, $"{written.Count} queued revisions took {applied.Count} publishes");
        var current = await node.SetsAsync();
        var expected = (await _store.RangeAsync("/pd/lab/filters/")).Items.Select(i => ClusterFilter.Read(i.Value, i.Key).Filter.Id).ToArray();
        Assert.Equal(expected, current.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Equal(120 + 1, expected.Length);
        node.AssertInForce(current.Sets);
    }

    [Fact]
    public async Task A_stream_of_revisions_behind_a_publish_waits_for_the_watch_to_go_quiet_and_goes_out_in_a_few_publishes()
    {
        // Each publish takes 20 ms in the adapter (a large set's cost), so revisions 2 ms apart queue up behind it.
        var node = Node("n1", decorate: p => new SlowProvider(p, TimeSpan.FromMilliseconds(20)), settle: (TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5)));
        var first = await Put("first", Doc("first", 53));
        await AwaitApplied(node, first);
        var before = node.AppliedRevisions().Count;

        // 150 revisions a couple of milliseconds apart: a bulk write as the agent sees it, each arriving while the last publish runs or settles.
        var written = new List<long>();
        for (var i = 0; i < 150; i++)
        {
            written.Add(await Put($"s{i}", Doc($"s{i}", 3000 + i)));
            await Task.Delay(2);
        }
        await AwaitApplied(node, written[^1]);

        var applied = node.AppliedRevisions().Skip(before).ToList();
        Assert.Equal(applied.Order(), applied);
        Assert.Equal(written[^1], applied[^1]);
        // The first revision goes at once; the rest wait until the watch has been quiet for 300 ms. A writer stalled
        // that long by a busy machine makes one more publish per stall, not one per revision.
        Assert.True(applied.Count <= 6, $"{written.Count} revisions took {applied.Count} publishes: {string.Join(", ", applied)}");
        node.AssertInForce((await node.SetsAsync()).Sets);
    }

    [Fact]
    public async Task Filters_another_client_wrote_wrong_are_refused_with_their_error_in_status_and_the_rest_still_apply()
    {
        var local = FilterSpec.ReadList("""[{ "id": "count-rest", "priority": 100 }]""", "local");
        var node = Node("n1", local: local);
        var good = await Put("good", Doc("good", 53));
        await AwaitApplied(node, good);
        var before = await node.SetsAsync();

        await Put("torn", """{"schemaVersion":1,"filter":{"id":"torn",""");
        await Put("badmatch", Doc("badmatch", 99999));
        await Put("q9", Doc("q9", 60, queue: 9));
        await Put("future", """{"schemaVersion":2,"filter":{"id":"future"},"somethingNew":true}""");
        await Put("count-rest", Doc("count-rest", 61));
        await Put("other-id", Doc("not-other-id", 62));
        var last = await Put("later", Doc("later", 63));
        await AwaitApplied(node, last);

        var sets = await node.SetsAsync();
        Assert.Equal(["count-rest", "good", "later"], sets.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Same(before.Sets["pd0"].Specs[1], sets.Sets["pd0"].Specs[1]);
        node.AssertInForce(sets.Sets);
        var status = (await node.StoredStatusAsync())!;
        await Eventually(async () => (status = (await node.StoredStatusAsync())!).Filters?.AppliedRevision == last, "the status in the store");
        var rejected = status.Filters!.Rejected.ToDictionary(r => r.Id);
        Assert.Equal(["badmatch", "count-rest", "future", "other-id", "q9", "torn"], rejected.Keys.Order());
        Assert.Contains("/pd/lab/filters/torn: ", rejected["torn"].Error);
        Assert.Contains("filter.match.destinationPort (filter 'badmatch'): 99999 does not fit in 16 bits", rejected["badmatch"].Error);
        Assert.Equal("pd0", rejected["q9"].Adapter);
        Assert.Contains("queue 9 does not exist on pd0 (queues 0..1)", rejected["q9"].Error);
        Assert.Contains("schemaVersion: 2 is newer than this pd reads (1)", rejected["future"].Error);
        Assert.Contains("the node's own filter file has a filter with this id", rejected["count-rest"].Error);
        Assert.Contains("'not-other-id' differs from the id its key names ('other-id')", rejected["other-id"].Error);
        Assert.Null(rejected["torn"].Adapter);
    }

    [Fact]
    public async Task A_filter_the_adapter_refuses_is_left_out_and_reported_and_every_other_change_still_applies()
    {
        var node = Node("n1", decorate: p => new RecordingProvider(p, new(), refuse: f => f.Priority == 66));
        await AwaitApplied(node, await Put("good", Doc("good", 53)));
        var odd = await Put("odd", Doc("odd", 54, priority: 66));
        await AwaitApplied(node, odd);
        var later = await Put("later", Doc("later", 55));
        await AwaitApplied(node, later);

        var sets = await node.SetsAsync();
        Assert.Equal(later, sets.AppliedRevision);
        Assert.Equal(["good", "later"], sets.Sets["pd0"].Specs.Select(s => s.Id));
        node.AssertInForce(sets.Sets);
        var refused = Assert.Single(sets.Rejected);
        Assert.Equal(new RejectedFilter("odd", "pd0", "pd0: filter 'odd': the adapter refused it: priority 66 is not supported.", odd), refused);
        await Eventually(async () => (await node.StoredStatusAsync())?.Filters is { } f && f.AppliedRevision == later && f.Rejected.SequenceEqual([refused]),
            "the status in the store to show the refusal");

        // A change the adapter takes applies at once; the refused filter, written again in a form it takes, goes in force.
        var fixedOdd = await Put("odd", Doc("odd", 54, priority: 7));
        await AwaitApplied(node, fixedOdd);
        sets = await node.SetsAsync();
        Assert.Equal(["good", "later", "odd"], sets.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Empty(sets.Rejected);
        node.AssertInForce(sets.Sets);
    }

    [Fact]
    public async Task An_adapter_that_does_not_put_its_set_in_force_holds_the_applied_revision_back_says_so_and_is_given_it_again()
    {
        using var open = new ManualResetEventSlim(true);
        var node = Node("n1", decorate: p => new HeldProvider(p, open), publishTimeout: TimeSpan.FromSeconds(2));
        try
        {
            await AwaitApplied(node, await Put("a", Doc("a", 53)));
            var first = node.Last!.AppliedRevision;

            // The adapter's supervisor is held inside the provider: the publish of b gets no answer in time.
            open.Reset();
            var held = await Put("b", Doc("b", 54));
            await Eventually(() => node.Last is { Rejected: [{ Id: "*", Adapter: "pd0" }] }, "the status to say pd0 kept its last good set");
            Assert.True(first < held);
            Assert.Equal(first, node.Last!.AppliedRevision);
            Assert.Contains("pd0 kept its last good filter set", node.Last.Rejected[0].Error);
            var sets = await node.SetsAsync();
            Assert.Equal(first, sets.AppliedRevision);
            Assert.Equal(["a"], sets.Sets["pd0"].Specs.Select(s => s.Id));

            // Released, it is given the set again with no change written: the agent retries an adapter that kept its
            // last good set, so a timeout does not leave the node behind until the next change.
            open.Set();
            await AwaitApplied(node, held);
            Assert.Empty(node.Last!.Rejected);
            sets = await node.SetsAsync();
            Assert.Equal(["a", "b"], sets.Sets["pd0"].Specs.Select(s => s.Id));
            node.AssertInForce(sets.Sets);
            Assert.Equal(held, node.AdapterRevisions().Last());

            var last = await Put("c", Doc("c", 55));
            await AwaitApplied(node, last);
            sets = await node.SetsAsync();
            Assert.Equal(["a", "b", "c"], sets.Sets["pd0"].Specs.Select(s => s.Id));
            node.AssertInForce(sets.Sets);
        }
        finally
        {
            open.Set();
        }
    }

    [Fact]
    public async Task A_scope_picks_nodes_by_name_and_adapters_by_label()
    {
        var n1 = Node("n1", adapters: [("pd0", ["edge"]), ("pd1", [])]);
        var n2 = Node("n2", adapters: [("pd0", ["edge", "core"])]);
        await Put("everywhere", Doc("everywhere", 1));
        await Put("on-n2", Doc("on-n2", 2, scope: ""","scope":{"nodes":["n2"]}"""));
        await Put("on-edge", Doc("on-edge", 3, scope: ""","scope":{"adapterLabels":["edge"]}"""));
        await Put("core-of-n1", Doc("core-of-n1", 4, scope: ""","scope":{"nodes":["n1"],"adapterLabels":["core"]}"""));
        var last = await Put("on-n9", Doc("on-n9", 5, scope: ""","scope":{"nodes":["n9"]}"""));
        await AwaitApplied(n1, last);
        await AwaitApplied(n2, last);

        var one = await n1.SetsAsync();
        var two = await n2.SetsAsync();
        Assert.Equal(["everywhere", "on-edge"], one.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Equal(["everywhere"], one.Sets["pd1"].Specs.Select(s => s.Id));
        Assert.Equal(["everywhere", "on-edge", "on-n2"], two.Sets["pd0"].Specs.Select(s => s.Id));
        Assert.Empty(one.Rejected);
        Assert.Empty(two.Rejected);
        n1.AssertInForce(one.Sets);
        n2.AssertInForce(two.Sets);
        // core-of-n1 is for n1, where no adapter has the label core: applied, in force nowhere, and n1's status says so.
        Assert.Equal(["core-of-n1"], n1.Last!.Unmatched!);
        Assert.Equal(1, n1.Last.UnmatchedCount);
        await Eventually(async () => (await n1.StoredStatusAsync())?.Filters is { UnmatchedCount: 1, Unmatched: ["core-of-n1"] }, "n1's stored status to list core-of-n1");
        Assert.Empty(n2.Last!.Unmatched!);

        // A second adapter label that n1 has takes it out of the list.
        var covered = await Put("core-of-n1", Doc("core-of-n1", 4, scope: ""","scope":{"nodes":["n1"],"adapterLabels":["core","edge"]}"""));
        await AwaitApplied(n1, covered);
        Assert.Equal((0, 0), (n1.Last!.Unmatched!.Count, n1.Last.UnmatchedCount));
        Assert.Equal(["core-of-n1", "everywhere", "on-edge"], (await n1.SetsAsync()).Sets["pd0"].Specs.Select(s => s.Id));
    }

    [Fact]
    public void A_status_lists_at_most_the_newest_hundred_unmatched_filters_beside_their_count()
    {
        var status = new FilterAgentStatus(1, 1, [], null, 0, [.. Enumerable.Range(0, 150).Select(i => $"f{i}")], 150).Bounded(FilterAgentStatus.ListedRejections);
        Assert.Equal((100, "f0", 150), (status.Unmatched!.Count, status.Unmatched[0], status.UnmatchedCount));
    }

    [Fact]
    public async Task An_adapter_supervisor_started_afresh_after_a_failure_gets_the_cluster_filters_again()
    {
        var node = Node("n1", local: FilterSpec.ReadList("""[{ "id": "count-rest", "priority": 100 }]""", "local"));
        var last = await Put("web", Doc("web", 80));
        await AwaitApplied(node, last);
        var sets = await node.SetsAsync();
        Assert.Equal(["count-rest", "web"], sets.Sets["pd0"].Specs.Select(s => s.Id));

        // The fresh supervisor opens with the node's own filters only, then the agent gives it the newest set again.
        var (lab, settings) = node.Adapters["pd0"];
        var before = lab.Provider;
        node.Supervisor.Tell(new ToAdapter("pd0", PdCluster.Actors.Kernel.Kill.Instance));
        await Eventually(() => lab.Provider != before, "a fresh supervisor to open the adapter");
        await Eventually(() => settings.Telemetry.Queues.Count > 0 && settings.Telemetry.Queues.All(q => ReferenceEquals(q.Filters?.Set, sets.Sets["pd0"])) && settings.Telemetry.State == AdapterState.Running,
            "the fresh supervisor to run the cluster's set");
        node.AssertInForce(sets.Sets);
    }

    /// <summary>A provider whose receive-filter changes take <paramref name="delay"/>: an adapter given a large set.</summary>
    private sealed class SlowProvider(IPdProvider inner, TimeSpan delay) : ReceiveFilterDecorator(inner)
    {
        public override IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
        {
            Thread.Sleep(delay);
            return Inner.UpdateReceiveFilters(clear, set);
        }
    }
}
