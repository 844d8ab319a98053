using System.Text;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Queues.Classification;
using PdCluster.Tests.Cluster.Etcd;
using PdCluster.TestKit;
using static PdCluster.Tests.Actors.FilterAgentTests;

namespace PdCluster.Tests.Actors;

/// <summary>
/// FilterAgents on simulated nodes (real adapter supervisors with traffic), each node with a client of its own on a real
/// etcd: concurrent writers, members killed mid-stream, an agent restarted, history compacted, documents written wrong.
/// A node's applied revisions are read twice, from its agent's statuses and from its adapter's own confirmations; its
/// final set from what the adapter runs (every queue's table, the receive filters set in the device) and from the
/// status it wrote to etcd.
/// </summary>
public sealed class FilterAgentOnEtcdTests : IAsyncLifetime
{
    private const string Prefix = "/pd/lab/filters/";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _owned = [];
    private int _acknowledged;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
            await owned.DisposeAsync();
    }

    private async Task<EtcdServer> StartEtcdAsync(int members)
    {
        var etcd = await EtcdServer.StartAsync(members);
        _owned.Add(etcd);
        return etcd;
    }

    /// <summary>A client of its own asking member <paramref name="first"/> first and then the others, or that member alone.</summary>
    private EtcdStore Client(EtcdServer etcd, int first = 0, bool alone = false)
    {
        Uri[] endpoints = alone ? [etcd.Endpoints[first]] : [.. etcd.Endpoints.Skip(first), .. etcd.Endpoints.Take(first)];
        var store = new EtcdStore(etcd.Options with { Endpoints = endpoints });
        _owned.Add(store);
        return store;
    }

    /// <summary>A node on <paramref name="store"/>, once its adapter runs and has confirmed the agent's first read.</summary>
    private async Task<AgentNode> NodeAsync(string name, IClusterStore store)
    {
        var node = new AgentNode(store, name);
        _owned.Add(node);
        var telemetry = node.Adapters["pd0"].Settings.Telemetry;
        await Eventually(() => telemetry.State == AdapterState.Running && node.Last is { } last && node.AdapterRevisions().LastOrDefault() == last.AppliedRevision,
            $"{name}'s adapter to run the agent's first read");
        return node;
    }

    private async Task<AgentNode[]> NodesAsync(EtcdServer etcd, int count)
    {
        var nodes = new AgentNode[count];
        for (var i = 0; i < count; i++)
            nodes[i] = await NodeAsync($"n{i + 1}", Client(etcd, first: i % etcd.Endpoints.Count));
        return nodes;
    }

    /// <summary>
    /// One writer on a client of its own: puts (new and changed) and deletes on 16 ids of its own, <paramref name="count"/>
    /// changes or until <paramref name="stop"/>, every <paramref name="pace"/>. A call that fails (its member gone, an
    /// election under way) is tried again. Returns the revisions etcd acknowledged, less those of deletes that needed a
    /// second try (the first may have been done, and then the retry answers the current revision).
    /// </summary>
    private async Task<List<long>> WriteAsync(IClusterStore store, int writer, int count, TimeSpan pace = default, CancellationToken stop = default)
    {
        await Task.Yield();
        var revisions = new List<long>();
        var present = new HashSet<string>();
        for (var i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            var id = $"w{writer}-{i % 16}";
            var delete = present.Contains(id) && i % 3 == 0;
            var (revision, retried) = await RetryAsync(() => delete ? store.DeleteAsync(Prefix + id) : store.PutAsync(Prefix + id, Doc(id, 1000 + i, priority: i % 7)));
            if (delete)
                present.Remove(id);
            else
                present.Add(id);
            if (!(delete && retried))
                revisions.Add(revision);
            Interlocked.Increment(ref _acknowledged);
            if (pace > TimeSpan.Zero)
                await Task.Delay(pace, CancellationToken.None);
        }
        return revisions;
    }

    /// <summary>Calls etcd until it answers, and says whether it took more than one try.</summary>
    private static async Task<(long Revision, bool Retried)> RetryAsync(Func<Task<long>> call)
    {
        var deadline = DateTime.UtcNow + TestTime.Dilated(Patience);
        for (var retried = false; ; retried = true)
        {
            try
            {
                return (await call(), retried);
            }
            catch (EtcdException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private Task AwaitAcknowledged(int count) => Eventually(() => Volatile.Read(ref _acknowledged) >= count, $"{count} writes acknowledged");

    /// <summary>The revisions of every change under filters/ after <paramref name="after"/> through <paramref name="through"/>, as a fresh watch reads them from etcd's history.</summary>
    private static async Task<List<long>> HistoryAsync(IClusterStore store, long after, long through)
    {
        using var timeout = new CancellationTokenSource(TestTime.Dilated(Patience));
        var revisions = new List<long>();
        await foreach (var e in store.WatchAsync(Prefix, after + 1, timeout.Token))
        {
            if (revisions.Count == 0 || revisions[^1] != e.Revision)
                revisions.Add(e.Revision);
            if (e.Revision >= through)
                break;
        }
        return revisions;
    }

    /// <summary>Every filter etcd holds, read from its document.</summary>
    private static async Task<List<FilterSpec>> StoredFiltersAsync(IClusterStore store) =>
        [.. (await store.RangeAsync(Prefix)).Items.Select(i => ClusterFilter.Read(i.Value, i.Key).Filter)];

    /// <summary>
    /// Every node applied through <paramref name="last"/> and runs <paramref name="expected"/>: its agent, its adapter and
    /// its status in etcd say so, and every queue's table and the device's receive filters are that set.
    /// </summary>
    private static async Task AssertRunAsync(IReadOnlyList<FilterSpec> expected, long last, params AgentNode[] nodes)
    {
        var wanted = Describe(CompiledFilterSet.Compile(expected));
        foreach (var node in nodes)
        {
            await AwaitApplied(node, last);
            await Eventually(() => node.AdapterRevisions().LastOrDefault() >= last, $"{node.Name}'s adapter to confirm revision {last}");
            await Eventually(async () => (await node.StoredStatusAsync())?.Filters?.AppliedRevision == last, $"{node.Name}'s status in etcd to say revision {last}");
            Assert.Equal(last, node.Last!.AppliedRevision);
            Assert.Equal(last, node.AdapterRevisions()[^1]);
            var set = node.Adapters["pd0"].Settings.Telemetry.Queues[0].Filters!.Set;
            Assert.Equal(last, set.Revision);
            Assert.Equal(wanted, Describe(set));
            node.AssertInForce(new Dictionary<string, CompiledFilterSet> { ["pd0"] = set });
        }
    }

    [EtcdFact]
    public async Task A_thousand_changes_from_two_writers_reach_three_nodes_on_three_etcd_members_in_store_order()
    {
        var etcd = await StartEtcdAsync(members: 3);
        // Each node streams from a member of its own; the two writers write through two of them.
        var nodes = await NodesAsync(etcd, 3);
        var start = nodes.Max(n => n.Last!.AppliedRevision);

        var written = (await Task.WhenAll(WriteAsync(Client(etcd, 0), 0, 500), WriteAsync(Client(etcd, 1), 1, 500))).SelectMany(r => r).Order().ToList();
        Assert.Equal(1000, written.Distinct().Count());
        Assert.All(written, r => Assert.True(r > start));

        await AssertRunAsync(await StoredFiltersAsync(Client(etcd, 2)), written[^1], nodes);
        foreach (var node in nodes)
        {
            AssertAppliedInOrder(written, node.AppliedRevisions().Skip(1).ToList(), node);
            Assert.Empty(node.Last!.Rejected);
        }
    }

    [EtcdFact]
    public async Task Killing_an_etcd_member_and_then_the_leader_mid_stream_loses_no_change()
    {
        var etcd = await StartEtcdAsync(members: 3);
        var nodes = await NodesAsync(etcd, 3);
        var start = nodes.Max(n => n.Last!.AppliedRevision);
        using var stop = new CancellationTokenSource();
        var pace = TimeSpan.FromMilliseconds(10);
        var writers = new[] { WriteAsync(Client(etcd, 0), 0, int.MaxValue, pace, stop.Token), WriteAsync(Client(etcd, 1), 1, int.MaxValue, pace, stop.Token) };

        // A follower first: member 0 when it follows, the one node n1 and the first writer talk to.
        await AwaitAcknowledged(100);
        var leader = await etcd.LeaderAsync();
        var follower = leader == 0 ? 1 : 0;
        etcd.Kill(follower);
        await AwaitAcknowledged(Volatile.Read(ref _acknowledged) + 100);

        // Then the leader. With the follower still down that would leave one member of three, no quorum and no
        // writes: the follower comes back first, and two of three elect a new leader.
        await etcd.RestartAsync(follower);
        await AwaitAcknowledged(Volatile.Read(ref _acknowledged) + 50);
        leader = await etcd.LeaderAsync();
        etcd.Kill(leader);
        await AwaitAcknowledged(Volatile.Read(ref _acknowledged) + 100);
        stop.Cancel();
        var acknowledged = (await Task.WhenAll(writers)).SelectMany(r => r).ToList();

        var store = Client(etcd, (leader + 1) % 3);
        var (last, _) = await RetryAsync(() => store.PutAsync(Prefix + "end", Doc("end", 9)));
        var history = await HistoryAsync(store, start, last);
        Assert.Equal(last, history[^1]);
        Assert.Empty(acknowledged.Except(history));
        await AssertRunAsync(await StoredFiltersAsync(store), last, nodes);
        foreach (var node in nodes)
            AssertAppliedInOrder(history, node.AppliedRevisions().Skip(1).ToList(), node);
    }

    [EtcdFact]
    public async Task An_agent_stopped_mid_stream_and_started_again_reads_everything_and_goes_on_with_the_rest()
    {
        var etcd = await StartEtcdAsync(members: 1);
        var (steady, restarted) = (await NodeAsync("n1", Client(etcd)), await NodeAsync("n2", Client(etcd)));
        var pace = TimeSpan.FromMilliseconds(2);
        var writers = new[] { WriteAsync(Client(etcd), 0, 200, pace), WriteAsync(Client(etcd), 1, 200, pace) };

        await AwaitAcknowledged(100);
        await restarted.StopAgentAsync();
        await AwaitAcknowledged(250);
        restarted.StartAgent();
        var written = (await Task.WhenAll(writers)).SelectMany(r => r).Order().ToList();

        await AssertRunAsync(await StoredFiltersAsync(Client(etcd)), written[^1], steady, restarted);
        AssertAppliedInOrder(written, steady.AppliedRevisions().Skip(1).ToList(), steady);
        // Before the stop, changes in order; the new agent's first read covers what it missed, then the changes after it.
        var before = restarted.AppliedRevisions(restarted.EarlierStatuses.Single());
        var after = restarted.AppliedRevisions();
        Assert.Equal(before.Order(), before);
        Assert.All(before.Skip(1), r => Assert.Contains(r, written));
        Assert.Contains(written, r => r > before[^1] && r <= after[0]);
        Assert.Equal(after.Distinct().Order(), after);
        Assert.All(after.Skip(1), r => Assert.Contains(r, written));
        Assert.Equal(written[^1], after[^1]);
        var adapter = restarted.AdapterRevisions();
        Assert.Equal(adapter.Order(), adapter);
        Assert.Equal(before, adapter.Where(r => r <= before[^1]));
        Assert.Equal(after, adapter.Where(r => r >= after[0]));
    }

    [EtcdFact]
    public async Task A_watch_whose_member_comes_back_compacted_past_it_reads_everything_again_and_applies_the_difference()
    {
        var etcd = await StartEtcdAsync(members: 3);
        // The node talks to member 0 alone; the writer to the others.
        var node = await NodeAsync("n1", Client(etcd, 0, alone: true));
        var writer = Client(etcd, 1);
        await writer.PutAsync(Prefix + "gone", Doc("gone", 1));
        var kept = await writer.PutAsync(Prefix + "kept", Doc("kept", 2));
        await AwaitApplied(node, kept);
        var cut = node.Last!.AppliedRevision;

        // While its member is down, 100 changes go in and history is compacted past the node's watch.
        etcd.Kill(0);
        await Eventually(() => node.Last?.StoreError is not null, "the agent to notice its member is gone");
        // The member killed may have led: the survivors elect a leader, and a write caught in that is tried again.
        await RetryAsync(() => writer.DeleteAsync(Prefix + "gone"));
        for (var i = 0; i < 100; i++)
        {
            var n = i;
            await RetryAsync(() => writer.PutAsync($"{Prefix}f{n % 10}", Doc($"f{n % 10}", 3000 + n)));
        }
        var (compacted, _) = await RetryAsync(() => writer.PutAsync(Prefix + "kept", Doc("kept", 22)));
        await writer.CompactAsync(compacted);
        await etcd.RestartAsync(0);
        await Eventually(() => !node.Resyncs.IsEmpty, "the agent to read everything again");
        var last = await writer.PutAsync(Prefix + "after", Doc("after", 23));

        await AssertRunAsync(await StoredFiltersAsync(writer), last, node);
        Assert.Null(node.Last!.StoreError);
        var resynced = Assert.Single(node.Resyncs);
        Assert.Equal((10, 1, 1), (resynced.Added, resynced.Removed, resynced.Changed));
        Assert.InRange(resynced.Revision, compacted, last - 1);
        // Changes up to the cut, the full read at the resync, and the change after it: nothing in between was applied piecemeal.
        var applied = node.AppliedRevisions();
        Assert.Equal(applied.Where(r => r <= cut).Append(resynced.Revision).Append(last), applied);
        Assert.Equal(applied, node.AdapterRevisions());
        await Eventually(async () => (await node.StoredStatusAsync())?.Filters is { StoreError: null } f && f.AppliedRevision == last, "the status in etcd to recover");
    }

    [EtcdFact]
    public async Task Fifteen_thousand_refused_filters_leave_the_status_small_and_it_still_tells_a_new_filter_applied_from_refused_and_reports_a_nic_loss()
    {
        var etcd = await StartEtcdAsync(members: 1);
        var node = await NodeAsync("n1", Client(etcd));
        var writer = Client(etcd);
        // Queue 9 on an adapter with 2 queues: each one refused, with its own id in its error (1.7 MB of refusals in all).
        var bulk = await BulkPut.RunAsync(writer, [.. Enumerable.Range(0, 15_000).Select(i => KeyValuePair.Create($"{Prefix}q9-{i:D5}", Doc($"q9-{i:D5}", 1000 + i, queue: 9)))]);
        await Eventually(async () => (await node.StoredStatusAsync())?.Filters?.AppliedRevision >= bulk.LastRevision, "the status in etcd to say the bulk's revision", seconds: 120);
        Assert.Equal(15_000, node.Last!.Rejected.Count);

        var stored = (await writer.GetAsync("/pd/lab/status/n1")).Items.Single();
        Assert.InRange(Encoding.UTF8.GetByteCount(stored.Value), 1, 64 * 1024);
        var status = (await node.StoredStatusAsync())!.Filters!;
        Assert.Equal(15_000, status.RejectedCount);
        Assert.Equal(FilterAgentStatus.ListedRejections, status.Rejected.Count);
        Assert.All(status.Rejected, r => Assert.Contains("queue 9 does not exist on pd0", r.Error));
        Assert.Equal([.. status.Rejected.Select(r => r.Revision).OrderDescending()], status.Rejected.Select(r => r.Revision));
        Assert.Equal(bulk.LastRevision, status.Rejected[0].Revision);
        // The newest are listed: the bulk itself reads as refused; an older write of its own could not be told.
        Assert.False(status.ListsRefusalsFrom(bulk.FirstRevision));

        // A good filter after them: applied, and the list (reaching below its revision) shows it was not refused.
        var good = await writer.PutAsync(Prefix + "good", Doc("good", 53));
        await Eventually(async () => (await node.StoredStatusAsync())?.Filters?.AppliedRevision >= good, "the status to say the good filter's revision");
        status = (await node.StoredStatusAsync())!.Filters!;
        Assert.True(status.ListsRefusalsFrom(good));
        Assert.DoesNotContain(status.Rejected, r => r.Id == "good");
        Assert.Contains(node.Adapters["pd0"].Settings.Telemetry.Queues[0].Filters!.Set.Specs, s => s.Id == "good");

        // A refused one after them: listed first, with its revision.
        var bad = await writer.PutAsync(Prefix + "bad", Doc("bad", 54, queue: 9));
        await Eventually(async () => (await node.StoredStatusAsync())?.Filters?.AppliedRevision >= bad, "the status to say the refused filter's revision");
        status = (await node.StoredStatusAsync())!.Filters!;
        Assert.Equal(("bad", bad), (status.Rejected[0].Id, status.Rejected[0].Revision));
        Assert.Equal(15_001, status.RejectedCount);

        // The NIC goes: the status says so.
        node.Adapters["pd0"].Lab.Adapter.Inject(DeviceEvent.SurpriseRemoval);
        await Eventually(async () => (await node.StoredStatusAsync())?.Adapters.GetValueOrDefault("pd0") == AdapterState.Removed, "the status in etcd to say pd0 is removed");
    }

    [EtcdFact]
    public async Task Ten_thousand_filters_deleted_in_one_revision_reach_every_agent_through_its_watch()
    {
        var etcd = await StartEtcdAsync(members: 1);
        var nodes = await NodesAsync(etcd, 2);
        var writer = Client(etcd);
        // Scoped to nodes that are not here: the agents hold all 10,000 but compile none into their adapters. The
        // documents are ~600 bytes; the watch asks for no deleted documents, so the delete's response is keys and
        // revisions (about 0.9 MB), which etcd's gateway delivers (with the documents it fell silent; see
        // SilentWatchIsCaughtUpAsync for that fallback).
        var elsewhere = ",\"scope\":{\"nodes\":[" + string.Join(",", Enumerable.Range(0, 24).Select(i => $"\"elsewhere-{i:D2}\"")) + "]}";
        long filled = 0;
        for (var batch = 0; batch < 100; batch++)
        {
            var puts = Enumerable.Range(batch * 100, 100).Select(i => (TxnOp)new TxnOp.Put($"{Prefix}x-{i:D5}", Doc($"x-{i:D5}", 1000 + i % 60000, scope: elsewhere))).ToList();
            filled = (await writer.TxnAsync([], puts)).Revision;
        }
        foreach (var node in nodes)
            await AwaitApplied(node, filled);

        // One delete-range, as `etcdctl del --prefix` sends: every filter goes in one revision.
        using var raw = etcd.Client();
        var (key, end) = (Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + "x-")), Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + "x.")));
        using var deleted = await raw.PostAsync(new Uri(etcd.Endpoints[0], "/v3/kv/deleterange"), new StringContent($$"""{"key":"{{key}}","range_end":"{{end}}"}"""));
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        var cleared = (await writer.GetAsync(Prefix + "none")).Revision;
        Assert.Empty((await writer.RangeAsync(Prefix)).Items);
        foreach (var node in nodes)
            await Eventually(() => node.Last?.AppliedRevision >= cleared, $"{node.Name} to apply the delete-range at {cleared}", seconds: 120, explain: node.Describe);
        Assert.All(nodes, n => Assert.Empty(n.Resyncs));
        var last = await writer.PutAsync(Prefix + "after", Doc("after", 9));

        await AssertRunAsync([ClusterFilter.Read(Doc("after", 9), Prefix + "after").Filter], last, nodes);
        foreach (var node in nodes)
        {
            Assert.Null(node.Last!.StoreError);
            Assert.Empty(node.Last.Rejected);
        }
    }

    [EtcdFact]
    public async Task A_watch_that_falls_silent_behind_etcd_is_caught_up_by_a_full_read_at_the_next_checks()
    {
        var etcd = await StartEtcdAsync(members: 1);
        await SilentWatchIsCaughtUpAsync(Client(etcd), store =>
        {
            var node = new AgentNode(store, "n1", watchCheck: SilentWatchCheck);
            _owned.Add(node);
            return node;
        });
    }

    [EtcdFact]
    public async Task Documents_a_raw_client_writes_wrong_are_refused_on_every_node_and_change_nothing_else()
    {
        var etcd = await StartEtcdAsync(members: 1);
        var nodes = await NodesAsync(etcd, 3);
        var writer = Client(etcd);
        await writer.PutAsync(Prefix + "good", Doc("good", 53));
        var web = await writer.PutAsync(Prefix + "web", Doc("web", 80));
        await AssertRunAsync(await StoredFiltersAsync(writer), web, nodes);
        var good = await StoredFiltersAsync(writer);

        // Straight through etcd's gateway, as any client can: nothing checks these before they land.
        using var raw = etcd.Client();
        async Task<long> RawPut(string id, string document)
        {
            var body = $$"""{"key":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + id))}}","value":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(document))}}"}""";
            using var response = await raw.PostAsync(new Uri(etcd.Endpoints[0], "/v3/kv/put"), new StringContent(body));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return (await writer.GetAsync(Prefix + id)).Items.Single().ModRevision;
        }

        await RawPut("torn", """{"schemaVersion":1,"filter":{"id":"torn",""");
        await RawPut("empty", "");
        await RawPut("badmatch", Doc("badmatch", 99999));
        await RawPut("other-id", Doc("not-other-id", 62));
        await RawPut("nested/deep", Doc("deep", 64));
        var future = await RawPut("future", """{"schemaVersion":2,"filter":{"id":"future"},"somethingNew":true}""");
        await AssertRunAsync(good, future, nodes);
        var later = await writer.PutAsync(Prefix + "later", Doc("later", 63));

        await AssertRunAsync([.. good.Append(ClusterFilter.Read(Doc("later", 63), Prefix + "later").Filter).OrderBy(f => f.Id, StringComparer.Ordinal)], later, nodes);
        foreach (var node in nodes)
        {
            var status = (await node.StoredStatusAsync())!.Filters!;
            var rejected = status.Rejected.ToDictionary(r => r.Id);
            Assert.Equal(["badmatch", "empty", "future", "nested/deep", "other-id", "torn"], rejected.Keys.Order(StringComparer.Ordinal));
            Assert.All(rejected.Values, r => Assert.Null(r.Adapter));
            Assert.Contains($"{Prefix}torn: ", rejected["torn"].Error);
            Assert.Contains($"{Prefix}empty: ", rejected["empty"].Error);
            Assert.Contains("filter.match.destinationPort (filter 'badmatch'): 99999 does not fit in 16 bits", rejected["badmatch"].Error);
            Assert.Contains("'not-other-id' differs from the id its key names ('other-id')", rejected["other-id"].Error);
            Assert.Contains("'deep' differs from the id its key names ('nested/deep')", rejected["nested/deep"].Error);
            Assert.Contains("schemaVersion: 2 is newer than this pd reads (1)", rejected["future"].Error);
            Assert.Null(status.StoreError);
        }

        // Deleted, a refused document leaves the status; the set stays as it was.
        var deleted = await writer.DeleteAsync(Prefix + "torn");
        foreach (var node in nodes)
        {
            await Eventually(async () => (await node.StoredStatusAsync())?.Filters is { } f && f.AppliedRevision == deleted, $"{node.Name}'s status in etcd to say revision {deleted}");
            Assert.DoesNotContain((await node.StoredStatusAsync())!.Filters!.Rejected, r => r.Id == "torn");
            Assert.Equal(5, node.Last!.Rejected.Count);
        }
    }

    /// <summary>
    /// What a node applied after its first read (<paramref name="applied"/>), against the store's
    /// <paramref name="changes"/>: each revision whole and a change's own, rising, ending on the last change, and the
    /// adapter confirming the same revisions. Changes that queue up during a publish go out together, so a revision
    /// need not have a publish of its own.
    /// </summary>
    private static void AssertAppliedInOrder(IReadOnlyList<long> changes, List<long> applied, AgentNode node)
    {
        Assert.Equal(applied.Distinct().Order(), applied);
        var known = changes.ToHashSet();
        Assert.All(applied, r => Assert.Contains(r, known));
        Assert.Equal(changes[^1], applied[^1]);
        Assert.Equal(applied, node.AdapterRevisions().Skip(1));
    }
}
