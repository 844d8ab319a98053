using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.TestKit;
using Xunit.Abstractions;

namespace PdCluster.Tests.Actors;

/// <summary>
/// Cross-host failover on a store (derived once per store): the coordinator's election, item assignment and
/// rebalancing, a node whose lease expires, a node whose adapters are all removed, a graceful handover, and a storm of
/// nodes coming and going. Each test is its own cluster; leases have etcd's 2 s TTL. The time from a node's death (or
/// NIC loss, or handover) to its items served elsewhere is written to the test output, not asserted.
/// </summary>
public abstract class FailoverContract(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TestTime.Dilated(TimeSpan.FromSeconds(15));
    private readonly List<FailoverNode> _nodes = [];
    private readonly string _cluster = $"f{Guid.NewGuid():N}"[..12];
    private IClusterStore _store = null!;

    protected abstract Task<IClusterStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.DisposeAsync();
        await _store.DisposeAsync();
    }

    private string Prefix => $"/pd/{_cluster}/";

    private FailoverNode Start(string name, IReadOnlyList<string> items, int adapters = 0, IReadOnlyList<ClusterItem>? vips = null, IReadOnlyDictionary<string, string>? teams = null)
    {
        var node = new FailoverNode(_store, _cluster, name, items, Ttl, adapters, vips, teams: teams);
        _nodes.Add(node);
        return node;
    }

    private static string[] Items(int count) => [.. Enumerable.Range(0, count).Select(i => $"item-{i}")];

    /// <summary>Each owner record's item and node; a record that does not read (a test's damaged one) is no owner.</summary>
    private async Task<Dictionary<string, string>> OwnersAsync() =>
        (await _store.RangeAsync($"{Prefix}owners/")).Items.Select(kv => (Item: kv.Key[$"{Prefix}owners/".Length..], Record: StoredJson.TryRead(kv.Value, MembershipJson.Default.OwnerRecord)))
            .Where(o => o.Record is not null).ToDictionary(o => o.Item, o => o.Record!.Node);

    private async Task<HashSet<string>> MembersAsync() =>
        [.. (await _store.RangeAsync($"{Prefix}members/")).Items.Select(kv => kv.Key[$"{Prefix}members/".Length..])];

    private async Task<MemberStatus> StatusAsync(string node) =>
        JsonSerializer.Deserialize((await _store.GetAsync($"{Prefix}status/{node}")).Items.Single().Value, MembershipJson.Default.MemberStatus)!;

    private static async Task AwaitAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < (patience ?? Patience), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until every one of <paramref name="items"/> has one owner key naming a live member among
    /// <paramref name="on"/>, whose agent serves it, and no other live node serves it; returns the owners.
    /// </summary>
    private async Task<Dictionary<string, string>> AwaitSettledAsync(IReadOnlyList<string> items, IReadOnlyList<FailoverNode> on, string what)
    {
        Dictionary<string, string> owners = [];
        await AwaitAsync(async () =>
        {
            owners = await OwnersAsync();
            var members = await MembersAsync();
            var names = on.Select(n => n.Name).ToHashSet();
            return items.All(i => owners.TryGetValue(i, out var o) && names.Contains(o) && members.Contains(o)
                && _nodes.Where(n => n.Alive).All(n => n.Serving.ContainsKey(i) == (n.Name == o)));
        }, what);
        return owners;
    }

    private static Dictionary<string, int> Load(Dictionary<string, string> owners) =>
        owners.GroupBy(o => o.Value).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Milliseconds from <paramref name="from"/> until the last of <paramref name="items"/> was taken by a node other than <paramref name="gone"/>.</summary>
    private double MillisecondsUntilServed(long from, IEnumerable<string> items, FailoverNode gone) =>
        items.Max(i => Stopwatch.GetElapsedTime(from, _nodes.Where(n => n != gone).Select(n => n.TookAt(i) ?? 0).Max()).TotalMilliseconds);

    [ContractFact]
    public async Task One_coordinator_leads_and_the_next_leads_when_its_lease_is_revoked()
    {
        var nodes = new[] { Start("n1", ["a"]), Start("n2", ["a"]), Start("n3", ["a"]) };
        await AwaitAsync(async () => (await _store.RangeAsync($"{Prefix}election/")).Items.Count == 3 && nodes.Any(n => n.Elected), "three campaigns and a leader");
        var election = (await _store.RangeAsync($"{Prefix}election/")).Items;
        var first = election.MinBy(k => k.CreateRevision)!;
        var leader = nodes.Single(n => n.Elected);
        Assert.Equal($"{Prefix}election/{leader.Name}", first.Key);
        await AwaitSettledAsync(["a"], nodes, "item a owned");

        await _store.RevokeAsync(first.Lease);
        await AwaitAsync(() => Task.FromResult(nodes.Count(n => n.Elected) == 2), "a second coordinator");
        var next = nodes.Single(n => n != leader && n.Elected);
        var now = (await _store.RangeAsync($"{Prefix}election/")).Items;
        Assert.Equal($"{Prefix}election/{next.Name}", now.MinBy(k => k.CreateRevision)!.Key);
        Assert.Equal(1, nodes.Count(n => n != leader && n.Elected));
        // The revoked node registered again and campaigns behind the new leader; the item has a live owner throughout.
        await AwaitSettledAsync(["a"], nodes, "item a owned after the leader change");
    }

    [ContractFact]
    public async Task A_deposed_coordinators_conditioned_write_fails()
    {
        var key1 = $"{Prefix}election/c1";
        var key2 = $"{Prefix}election/c2";
        var lease1 = await _store.GrantLeaseAsync(Ttl);
        var lease2 = await _store.GrantLeaseAsync(Ttl);
        await _store.PutAsync(key1, "c1", lease1);
        await _store.PutAsync(key2, "c2", lease2);
        var term1 = (await _store.GetAsync(key1)).Items.Single().CreateRevision;
        var term2 = (await _store.GetAsync(key2)).Items.Single().CreateRevision;
        var owner = $"{Prefix}owners/x";
        Assert.True((await _store.TxnAsync([Compare.CreateRevision(key1, term1)], [new TxnOp.Put(owner, "by c1")])).Succeeded);

        await _store.RevokeAsync(lease1);
        Assert.False((await _store.TxnAsync([Compare.CreateRevision(key1, term1)], [new TxnOp.Put(owner, "by deposed c1")])).Succeeded);
        Assert.Equal("by c1", (await _store.GetAsync(owner)).Items.Single().Value);
        // A new key of the deposed node's gets a new create revision: its old term does not come back.
        var lease3 = await _store.GrantLeaseAsync(Ttl);
        await _store.PutAsync(key1, "c1", lease3);
        Assert.False((await _store.TxnAsync([Compare.CreateRevision(key1, term1)], [new TxnOp.Put(owner, "by deposed c1")])).Succeeded);
        Assert.True((await _store.TxnAsync([Compare.CreateRevision(key2, term2)], [new TxnOp.Put(owner, "by c2")])).Succeeded);
        Assert.Equal("by c2", (await _store.GetAsync(owner)).Items.Single().Value);
        await _store.RevokeAsync(lease2);
        await _store.RevokeAsync(lease3);
    }

    [ContractFact]
    public async Task Items_are_spread_over_the_live_nodes_and_a_newcomer_takes_its_share()
    {
        var items = Items(6);
        var nodes = new List<FailoverNode> { Start("n1", items), Start("n2", items), Start("n3", items) };
        var owners = await AwaitSettledAsync(items, nodes, "six items on three nodes");
        await AwaitAsync(async () => Load(await OwnersAsync()).Values.Order().SequenceEqual([2, 2, 2]), "two items each");

        nodes.Add(Start("n4", items));
        await AwaitAsync(async () => Load(await OwnersAsync()) is var load && load.Count == 4 && load.Values.Max() - load.Values.Min() <= 1, "the newcomer's share");
        owners = await AwaitSettledAsync(items, nodes, "six items on four nodes");
        Assert.InRange(Load(owners)["n4"], 1, 2);
    }

    [ContractFact]
    public async Task A_bulk_of_filters_reaches_no_coordinator_while_a_member_change_does()
    {
        var tally = new WatchTallyStore(_store);
        var first = new FailoverNode(tally, _cluster, "n1", ["a"], Ttl);
        _nodes.Add(first);
        await AwaitSettledAsync(["a"], [first], "item a owned by n1");
        await _store.TxnAsync([], [.. Enumerable.Range(0, 100).Select(i => (TxnOp)new TxnOp.Put($"{Prefix}filters/f{i}", "{}"))]);

        var second = Start("n2", ["a", "b"]);
        await AwaitAsync(() => Task.FromResult(tally.DeliveredUnder($"{Prefix}members/n2") > 0), "n2's member key delivered to n1");
        await AwaitSettledAsync(["a", "b"], [first, second], "items a and b owned once n2 joined");
        Assert.Equal(0, tally.DeliveredUnder($"{Prefix}filters/"));
    }

    [ContractFact]
    public async Task Member_status_and_owner_records_missing_their_fields_are_ignored_and_a_dead_nodes_items_still_move()
    {
        var items = Items(2);
        var nodes = new[] { Start("n1", items), Start("n2", items) };
        await AwaitSettledAsync(items, nodes, "two items on two nodes");
        using var stop = new CancellationTokenSource();
        var lease = await _store.GrantLeaseAsync(Ttl);
        await _store.PutAsync($"{Prefix}members/empty", "{}", lease);
        var keepAlive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await _store.KeepAliveAsync(lease);
                await Task.Delay(300);
            }
        });
        await _store.PutAsync($"{Prefix}status/empty", "{}");
        await _store.PutAsync($"{Prefix}status/nulls", """{"node":null,"adapters":null}""");
        await _store.PutAsync($"{Prefix}owners/stray", """{"item":null,"node":"n2","term":1,"since":"2026-01-01T00:00:00Z"}""");

        await nodes[1].KillAsync();
        var owners = await AwaitSettledAsync(items, [nodes[0]], "both items on n1 once n2's lease ended, the damaged records beside them");
        Assert.All(items, i => Assert.Equal("n1", owners[i]));
        stop.Cancel();
        await keepAlive;
    }

    [ContractFact]
    public async Task A_dead_nodes_items_move_when_its_lease_expires()
    {
        var items = Items(6);
        var nodes = new[] { Start("n1", items), Start("n2", items), Start("n3", items) };
        await AwaitAsync(async () => Load(await AwaitSettledAsync(items, nodes, "six items")).Values.All(c => c == 2), "two items each");
        var owners = await OwnersAsync();
        var dead = nodes[1];
        var lost = owners.Where(o => o.Value == dead.Name).Select(o => o.Key).ToList();

        var died = Stopwatch.GetTimestamp();
        await dead.KillAsync();
        owners = await AwaitSettledAsync(items, [nodes[0], nodes[2]], "the dead node's items on the others");
        Assert.Equal([3, 3], Load(owners).Values.Order());
        output.WriteLine($"{GetType().Name}: node death to its {lost.Count} items served elsewhere: {MillisecondsUntilServed(died, lost, dead):0} ms (lease TTL {Ttl.TotalSeconds:0} s)");
    }

    [ContractFact]
    public async Task A_node_whose_adapters_are_all_removed_gives_its_items_up_and_takes_a_share_back_on_arrival()
    {
        var items = Items(4);
        var nodes = new[] { Start("n1", items, adapters: 1), Start("n2", items) };
        await AwaitAsync(async () => Load(await AwaitSettledAsync(items, nodes, "four items")).Values.All(c => c == 2), "two items each");
        var lost = (await OwnersAsync()).Where(o => o.Value == "n1").Select(o => o.Key).ToList();

        var removed = Stopwatch.GetTimestamp();
        nodes[0].Inject(DeviceEvent.SurpriseRemoval);
        await AwaitSettledAsync(items, [nodes[1]], "every item on n2");
        Assert.Empty(nodes[0].Serving);
        Assert.Contains("n1", await MembersAsync());
        output.WriteLine($"{GetType().Name}: NIC loss reported to its {lost.Count} items served elsewhere: {MillisecondsUntilServed(removed, lost, nodes[0]):0} ms");

        nodes[0].Inject(DeviceEvent.Arrival);
        await AwaitAsync(async () => Load(await AwaitSettledAsync(items, nodes, "four items again")) is var load && load.GetValueOrDefault("n1") == 2, "n1's share back");
    }

    [ContractFact]
    public async Task A_vip_whose_adapter_is_removed_moves_to_a_node_that_can_serve_it_while_the_nodes_other_items_stay()
    {
        var vip = new ClusterItem("vip-a", ClusterItemKind.Vip, IPAddress.Parse("198.18.0.250"), "pd0");
        var n1 = Start("n1", ["shard-1"], adapters: 2, vips: [vip]);
        await AwaitSettledAsync(["vip-a", "shard-1"], [n1], "n1 owning both items");
        var n2 = Start("n2", ["shard-2"], adapters: 2, vips: [vip]);
        Assert.Equal("n1", (await AwaitSettledAsync(["vip-a", "shard-1", "shard-2"], [n1, n2], "n2 owning its shard"))["vip-a"]);

        var removed = Stopwatch.GetTimestamp();
        n1.Inject(DeviceEvent.SurpriseRemoval, adapter: 0);
        Dictionary<string, string> owners = [];
        await AwaitAsync(async () => (owners = await AwaitSettledAsync(["vip-a", "shard-1"], [n1, n2], "two items owned"))["vip-a"] == "n2", "the vip on n2");
        Assert.Equal("n1", owners["shard-1"]);
        Assert.Equal(["vip-a"], (await StatusAsync("n1")).Unserved);
        output.WriteLine($"{GetType().Name}: the vip's adapter removed to the vip served elsewhere: {MillisecondsUntilServed(removed, ["vip-a"], n1):0} ms");

        n1.Inject(DeviceEvent.Arrival, adapter: 0);
        await AwaitAsync(async () => (await StatusAsync("n1")).Unserved is null or [], "n1 able to serve the vip again");
        Assert.Equal("n2", (await OwnersAsync())["vip-a"]);
    }

    [ContractFact]
    public async Task A_vip_on_a_team_member_stays_while_the_team_has_a_live_member_and_moves_when_it_has_none()
    {
        var vip = new ClusterItem("vip-a", ClusterItemKind.Vip, IPAddress.Parse("198.18.0.250"), "pd0");
        var team = new Dictionary<string, string> { ["pd0"] = "t0", ["pd1"] = "t0" };
        var n1 = Start("n1", [], adapters: 2, vips: [vip], teams: team);
        await AwaitSettledAsync(["vip-a"], [n1], "n1 owning the vip");
        var n2 = Start("n2", ["shard-2"], adapters: 1, vips: [vip]);
        Assert.Equal("n1", (await AwaitSettledAsync(["vip-a", "shard-2"], [n1, n2], "n2 owning its shard"))["vip-a"]);

        n1.Inject(DeviceEvent.SurpriseRemoval, adapter: 0);
        await AwaitAsync(async () => (await StatusAsync("n1")).Adapters.GetValueOrDefault("pd0") == AdapterState.Removed, "n1 reporting pd0 removed");
        Assert.Equal("n1", (await AwaitSettledAsync(["vip-a"], [n1, n2], "the vip where it was"))["vip-a"]);
        Assert.Empty((await StatusAsync("n1")).Unserved ?? []);

        n1.Inject(DeviceEvent.SurpriseRemoval, adapter: 1);
        Assert.Equal("n2", (await AwaitSettledAsync(["vip-a"], [n2], "the vip on n2"))["vip-a"]);
    }

    [ContractFact]
    public async Task A_node_that_leaves_hands_its_items_over()
    {
        var items = Items(6);
        var nodes = new[] { Start("n1", items), Start("n2", items), Start("n3", items) };
        await AwaitAsync(async () => Load(await AwaitSettledAsync(items, nodes, "six items")).Values.All(c => c == 2), "two items each");
        var leaving = nodes.Single(n => n.Elected);
        var held = (await OwnersAsync()).Where(o => o.Value == leaving.Name).Select(o => o.Key).Order().ToList();

        var started = Stopwatch.GetTimestamp();
        var handed = await leaving.LeaveAsync();
        Assert.Equal(held, handed.Items.Order());
        var stayed = nodes.Where(n => n != leaving).ToList();
        var owners = await AwaitSettledAsync(items, stayed, "the leaver's items on the others");
        Assert.Equal([3, 3], Load(owners).Values.Order());
        Assert.DoesNotContain(leaving.Name, await MembersAsync());
        Assert.Contains(stayed, n => n.Elected);
        output.WriteLine($"{GetType().Name}: handover (the leaving node was the coordinator) to its {held.Count} items served elsewhere: {MillisecondsUntilServed(started, held, leaving):0} ms");
    }

    [ContractFact]
    public async Task A_storm_of_nodes_coming_and_going_ends_with_every_item_owned_once_by_a_live_node()
    {
        var items = Items(10);
        var random = new Random(10);
        for (var i = 0; i < 5; i++)
            Start($"n{i}", items);
        var started = 5;
        var churn = Stopwatch.StartNew();
        while (churn.Elapsed < TimeSpan.FromSeconds(4))
        {
            var alive = _nodes.Where(n => n.Alive).ToList();
            switch (random.Next(3))
            {
                case 0 when alive.Count > 2:
                    await alive[random.Next(alive.Count)].KillAsync();
                    break;
                case 1 when alive.Count > 2:
                    await alive[random.Next(alive.Count)].LeaveAsync();
                    break;
                default:
                    // Some newcomers declare only half the items: eligibility differs per node.
                    Start($"n{started++}", started % 2 == 0 ? items : items[..5]);
                    break;
            }
            await Task.Delay(random.Next(50, 300));
        }
        // A late full node, so whatever the storm left, some live node declares every item (and rebalancing runs).
        Start("late", items);
        var live = _nodes.Where(n => n.Alive).ToList();
        output.WriteLine($"{GetType().Name}: {started + 1} nodes started, {live.Count} alive after the storm");
        var owners = await AwaitSettledAsync(items, live, "every item on a live node after the storm");
        Assert.Equal(items.Order(), owners.Keys.Order());
        foreach (var item in items)
            Assert.Single(live, n => n.Serving.ContainsKey(item));
        await AwaitAsync(async () =>
        {
            var leader = (await _store.RangeAsync($"{Prefix}election/")).Items.MinBy(k => k.CreateRevision);
            return leader is not null && live.Any(n => n.Elected && leader.Key == $"{Prefix}election/{n.Name}");
        }, "a live coordinator");
    }

    /// <summary>
    /// F9: a member key and an older election key written without a lease (by another client) are no node's: the
    /// lease-less election key does not lead (the real nodes still elect a coordinator that assigns items), and the
    /// lease-less member gets no item, also after the owner dies.
    /// </summary>
    [ContractFact]
    public async Task Member_and_election_keys_without_a_lease_are_ignored()
    {
        var items = Items(4);
        await _store.PutAsync($"{Prefix}election/aaa", "zzz");
        await _store.PutAsync($"{Prefix}members/n9", JsonSerializer.Serialize(new MemberRecord("n9", "127.0.0.1:0", DateTimeOffset.UtcNow, items), MembershipJson.Default.MemberRecord));
        var n1 = Start("n1", items);
        var n2 = Start("n2", items);
        var owners = await AwaitSettledAsync(items, [n1, n2], "items owned by the lease-held members only");
        Assert.DoesNotContain("n9", owners.Values);
        Assert.True(n1.Elected || n2.Elected);
        await n1.KillAsync();
        owners = await AwaitSettledAsync(items, [n2], "n1's items on n2, not on the lease-less n9");
        Assert.All(owners.Values, o => Assert.Equal("n2", o));
    }

    /// <summary>
    /// F4: a second node under a running node's name does not overwrite its member key, and when it leaves it deletes
    /// none of the first one's keys (member, election, owners).
    /// </summary>
    [ContractFact]
    public async Task A_second_node_of_the_same_name_neither_takes_nor_deletes_the_first_ones_keys()
    {
        var items = Items(2);
        var first = Start("n1", items);
        await AwaitSettledAsync(items, [first], "items on n1");
        var member = Assert.Single((await _store.GetAsync($"{Prefix}members/n1")).Items);
        var duplicate = Start("n1", items);
        await Task.Delay(TestTime.Dilated(TimeSpan.FromSeconds(1)));
        await duplicate.LeaveAsync();
        var after = Assert.Single((await _store.GetAsync($"{Prefix}members/n1")).Items);
        Assert.Equal(member.Lease, after.Lease);
        Assert.Equal(member.ModRevision, after.ModRevision);
        Assert.Single((await _store.GetAsync($"{Prefix}election/n1")).Items);
        var owners = await OwnersAsync();
        Assert.Equal(items.Order(), owners.Keys.Order());
        Assert.All(owners.Values, o => Assert.Equal("n1", o));
    }
}
