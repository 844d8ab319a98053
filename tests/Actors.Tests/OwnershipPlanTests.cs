using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>The coordinator's decisions over one read of the store, and the guards its transaction carries.</summary>
public sealed class OwnershipPlanTests
{
    private const string P = "/pd/lab/";
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private long _revision = 10;

    private KeyValue Member(string node, long lease, params string[] items) =>
        new($"{P}members/{node}", JsonSerializer.Serialize(new MemberRecord(node, "127.0.0.1:0", Now, items), MembershipJson.Default.MemberRecord), ++_revision, _revision, 1, lease);

    /// <summary>The status a node with adapters pd0, pd1, … in <paramref name="states"/> writes for <paramref name="items"/> (none on a team).</summary>
    private KeyValue Status(string node, IReadOnlyList<ClusterItem> items, params AdapterState[] states)
    {
        var adapters = states.Select((s, i) => (s, i)).ToDictionary(x => $"pd{x.i}", x => x.s);
        var status = new MemberStatus(node, adapters, Unserved: ItemReadiness.Unserved(items, adapters, new Dictionary<string, string>()));
        return new($"{P}status/{node}", JsonSerializer.Serialize(status, MembershipJson.Default.MemberStatus), ++_revision, _revision, 1, 0);
    }

    private KeyValue Owner(string item, string node) =>
        new($"{P}owners/{item}", JsonSerializer.Serialize(new OwnerRecord(item, node, 1, Now), MembershipJson.Default.OwnerRecord), ++_revision, _revision, 1, 0);

    private static OwnershipPlan Plan(IReadOnlyList<KeyValue> members, IReadOnlyList<KeyValue>? statuses = null, IReadOnlyList<KeyValue>? owners = null) =>
        OwnershipPlan.Compute(P, 7, new OwnershipSnapshot(members, statuses ?? [], owners ?? []), Now);

    private static Dictionary<string, (string Node, long Lease)> Puts(OwnershipPlan plan) =>
        plan.Then.OfType<TxnOp.Put>().ToDictionary(p => p.Key[$"{P}owners/".Length..],
            p => (JsonSerializer.Deserialize(p.Value, MembershipJson.Default.OwnerRecord)!.Node, p.Lease));

    [Fact]
    public void Unowned_items_go_to_the_least_loaded_declaring_node_on_its_lease_guarded_by_both_keys()
    {
        var n1 = Member("n1", 100, "a", "b", "c");
        var n2 = Member("n2", 200, "a", "b");
        var plan = Plan([n1, n2]);
        Assert.Equal(new Dictionary<string, (string, long)> { ["a"] = ("n1", 100), ["b"] = ("n2", 200), ["c"] = ("n1", 100) }, Puts(plan));
        Assert.Contains(Compare.ModRevision($"{P}owners/a", 0), plan.When);
        Assert.Contains(Compare.ModRevision(n1.Key, n1.ModRevision), plan.When);
        Assert.Contains(Compare.ModRevision(n2.Key, n2.ModRevision), plan.When);
        Assert.Equal(plan.When.Count, plan.When.Distinct().Count());
        Assert.All(plan.Moves, m => Assert.Null(m.From));
    }

    [Fact]
    public void A_settled_cluster_plans_nothing()
    {
        var plan = Plan([Member("n1", 100, "a", "b"), Member("n2", 200, "a", "b")], owners: [Owner("a", "n1"), Owner("b", "n2")]);
        Assert.True(plan.IsEmpty);
        Assert.Empty(plan.When);
    }

    [Fact]
    public void Items_of_a_node_whose_adapters_are_all_removed_or_failed_move_and_one_running_adapter_keeps_them()
    {
        var members = new[] { Member("n1", 100, "a"), Member("n2", 200, "a") };
        var owner = Owner("a", "n1");
        ClusterItem[] a = [new("a", ClusterItemKind.Shard)];
        var moved = Plan(members, [Status("n1", a, AdapterState.Removed, AdapterState.Failed)], [owner]);
        Assert.Equal(("n2", 200L), Puts(moved)["a"]);
        Assert.Equal(new OwnerMove("a", "n1", "n2"), Assert.Single(moved.Moves));
        Assert.Contains(Compare.ModRevision(owner.Key, owner.ModRevision), moved.When);

        Assert.True(Plan(members, [Status("n1", a, AdapterState.Removed, AdapterState.Running)], [owner]).IsEmpty);
    }

    [Fact]
    public void A_vip_moves_when_its_own_adapter_cannot_serve_while_the_nodes_other_items_stay()
    {
        ClusterItem[] declared = [new("vip", ClusterItemKind.Vip, System.Net.IPAddress.Parse("198.18.0.250"), "pd0"), new("shard", ClusterItemKind.Shard)];
        var members = new[] { Member("n1", 100, "vip", "shard"), Member("n2", 200, "vip", "other") };
        var owners = new[] { Owner("vip", "n1"), Owner("shard", "n1"), Owner("other", "n2") };
        foreach (var state in new[] { AdapterState.Removed, AdapterState.Failed, AdapterState.Refused })
        {
            var plan = Plan(members, [Status("n1", declared, state, AdapterState.Running)], owners);
            Assert.Equal(new OwnerMove("vip", "n1", "n2"), Assert.Single(plan.Moves));
        }
        Assert.True(Plan(members, [Status("n1", declared, AdapterState.Quiesced, AdapterState.Running)], owners).IsEmpty);
    }

    [Fact]
    public void An_owner_that_is_gone_or_unreadable_is_replaced_and_an_item_no_live_node_declares_loses_its_key()
    {
        var members = new[] { Member("n2", 200, "a", "b") };
        var unreadable = new KeyValue($"{P}owners/b", "{not json", 5, 5, 1, 0);
        var orphan = Owner("z", "n1");
        var plan = Plan(members, owners: [Owner("a", "n1"), unreadable, orphan]);
        Assert.Equal(["a", "b"], Puts(plan).Keys.Order());
        Assert.All(Puts(plan).Values, p => Assert.Equal("n2", p.Node));
        Assert.Equal($"{P}owners/z", Assert.Single(plan.Then.OfType<TxnOp.Delete>()).Key);
        Assert.Contains(new OwnerMove("z", "n1", null), plan.Moves);
    }

    [Fact]
    public void A_node_two_items_ahead_gives_one_to_the_least_loaded_until_loads_differ_by_at_most_one()
    {
        var members = new[] { Member("n1", 100, "a", "b", "c", "d"), Member("n2", 200, "a", "b", "c", "d"), Member("n3", 300, "a", "b") };
        var plan = Plan(members, owners: [Owner("a", "n1"), Owner("b", "n1"), Owner("c", "n1"), Owner("d", "n1")]);
        var load = new Dictionary<string, int> { ["n1"] = 4, ["n2"] = 0, ["n3"] = 0 };
        foreach (var m in plan.Moves)
        {
            load[m.From!]--;
            load[m.To!]++;
        }
        Assert.True(load.Values.Max() - load.Values.Min() <= 1, string.Join(", ", load));
        // n3 declares only a and b: it never gets c or d.
        Assert.All(plan.Moves.Where(m => m.To == "n3"), m => Assert.Contains(m.Item, new[] { "a", "b" }));
    }
}
