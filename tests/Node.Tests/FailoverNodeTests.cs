using System.Diagnostics;
using PdCluster.Actors.Framework;
using PdCluster.Cluster.Etcd;
using PdCluster.Node.ClusterAccess;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.Tests.Cluster.Etcd;
using Xunit.Abstractions;

namespace PdCluster.Tests.Node;

/// <summary>
/// The config's <c>items</c>, checked key by key, and two <c>pd</c> nodes on a real etcd sharing a VIP and two shards:
/// what <c>pd owners</c>, <c>pd node ls</c> and <c>pd cluster status</c> show, and a node that shuts down handing its
/// items to the other.
/// </summary>
public sealed class FailoverNodeTests(ITestOutputHelper output)
{
    private const string Items = """
        "items": [ { "id": "web", "kind": "vip", "address": "198.18.0.10", "adapter": "pd0" }, { "id": "s1", "kind": "shard" }, { "id": "s2", "kind": "shard" } ],
        """;

    [Theory]
    [InlineData("""{ "id": "a/b", "kind": "shard" }""", "items[0].id: 'a/b' is not an item id")]
    [InlineData("""{ "id": "s", "kind": "shard" }, { "id": "s", "kind": "shard" }""", "items[1].id: 's' is declared twice")]
    [InlineData("""{ "id": "s", "kind": "anycast" }""", "items[0].kind: 'anycast' is not an item kind (known: vip, shard)")]
    [InlineData("""{ "id": "v", "kind": "vip", "adapter": "pd0" }""", "items[0].address: a vip needs a unicast IPv4 or IPv6 address such as 198.18.0.10 or 2001:2::10 (got none)")]
    [InlineData("""{ "id": "v", "kind": "vip", "address": "::", "adapter": "pd0" }""", "items[0].address: a vip needs a unicast IPv4 or IPv6 address")]
    [InlineData("""{ "id": "v", "kind": "vip", "address": "10", "adapter": "pd0" }""", "items[0].address: a vip needs a unicast IPv4 or IPv6 address")]
    [InlineData("""{ "id": "v", "kind": "vip", "address": "198.18.0.10", "adapter": "pd9" }""", "items[0].adapter: a vip names the adapter it is announced on, one of pd0 (got 'pd9')")]
    [InlineData("""{ "id": "a", "kind": "vip", "address": "198.18.0.1", "adapter": "pd0" }, { "id": "b", "kind": "vip", "address": "198.18.0.1", "adapter": "pd0" }""",
        "items[1].address: 198.18.0.1 is item a's address as well; an address is one item's.")]
    [InlineData("""{ "id": "s", "kind": "shard", "address": "198.18.0.10" }""", "items[0].address: a shard has no address")]
    [InlineData("""{ "id": "s", "kind": "shard", "adapter": "pd0" }""", "items[0].adapter: a shard is announced on no adapter")]
    [InlineData("""{ "id": "s", "kind": "shard", "weight": 3 }""", "weight")]
    public void Bad_items_name_the_file_and_key(string items, string expected)
    {
        using var config = new TempConfig(extra: $"\"items\": [ {items} ],");
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path));
        Assert.StartsWith(config.Path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Items_read_as_the_node_declares_them()
    {
        using var config = new TempConfig(extra: Items);
        var loaded = NodeConfigLoader.Load(config.Path);
        var items = ClusterItems.Read(loaded.Config, loaded.Source);
        Assert.Equal(["web", "s1", "s2"], items.Select(i => i.Id));
        Assert.Equal(("198.18.0.10", "pd0"), (items[0].Address!.ToString(), items[0].Adapter));
    }

    [Fact]
    public void Owners_lists_as_eligible_the_live_nodes_that_declare_an_item_and_can_serve_it_now()
    {
        var since = DateTimeOffset.UnixEpoch;
        string[] declared = ["web", "s1"];
        var view = new ClusterView(1, [new MemberRecord("node-a", "", since, declared), new MemberRecord("node-b", "", since, declared)],
            [new MemberStatus("node-a", new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Removed, ["pd1"] = AdapterState.Running }, Unserved: ["web"]),
             new MemberStatus("node-b", new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Running }),
             new MemberStatus("node-c", new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Running })],
            [], [new OwnerRecord("web", "node-b", 1, since), new OwnerRecord("s1", "node-a", 1, since)]);
        var rows = ClusterViewCommands.Owners(view).ToDictionary(r => r.Item);
        Assert.Equal(["node-b"], rows["web"].Eligible);
        Assert.Equal(["node-a", "node-b"], rows["s1"].Eligible);
    }

    [EtcdFact]
    public async Task Two_nodes_share_the_items_and_one_that_shuts_down_hands_its_items_to_the_other()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var store = $"\"cluster\": \"lab\", \"store\": \"etcd\", \"etcd\": {{ \"endpoints\": [\"{etcd.Endpoints[0]}\"] }}, {Items}";
        using var configA = new TempConfig(extra: store, node: "node-a");
        using var configB = new TempConfig(extra: store, node: "node-b");
        await using var etcdStore = new EtcdStore(etcd.Options);
        var catalog = new StoreCatalog(etcdStore, "lab");
        var a = await NodeHost.StartAsync(NodeConfigLoader.Load(configA.Path));
        var b = await NodeHost.StartAsync(NodeConfigLoader.Load(configB.Path));
        var aStopped = false;
        try
        {
            var view = await AwaitViewAsync(catalog, v => ClusterViewCommands.Owners(v) is var rows && rows.Count == 3 && rows.All(r => r.OwnerLive)
                && v.ItemsOf("node-a").Count > 0 && v.ItemsOf("node-b").Count > 0, "the three items spread over both nodes");
            Assert.All(ClusterViewCommands.Owners(view), r => Assert.Equal(["node-a", "node-b"], r.Eligible));
            var nodes = ClusterViewCommands.Nodes(view);
            Assert.Equal(3, nodes.Sum(n => n.Owns.Count));
            Assert.Single(nodes, n => n.Coordinator);
            var status = ClusterViewCommands.Report(view);
            Assert.Empty(status.Unowned);
            Assert.Contains(status.Coordinator, new[] { "node-a", "node-b" });
            var heldByA = view.ItemsOf("node-a");

            var leaving = Stopwatch.StartNew();
            aStopped = true;
            await a.ShutdownAsync("test");
            output.WriteLine($"node-a shut down in {leaving.ElapsedMilliseconds} ms");
            view = await AwaitViewAsync(catalog, v => v.ItemsOf("node-b").Count == 3, "every item on node-b");
            output.WriteLine($"node-a's {heldByA.Count} item(s) ({string.Join(", ", heldByA)}) owned by node-b {leaving.ElapsedMilliseconds} ms after its shutdown began");
            Assert.DoesNotContain(view.Members, m => m.Node == "node-a");
            Assert.Equal("node-b", view.Coordinator);
        }
        finally
        {
            await b.ShutdownAsync("test");
            if (!aStopped)
                await a.ShutdownAsync("test");
        }
        Assert.Empty((await etcdStore.RangeAsync("/pd/lab/owners/")).Items);
    }

    private static async Task<ClusterView> AwaitViewAsync(IClusterCatalog catalog, Func<ClusterView, bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var view = await catalog.ViewAsync(CancellationToken.None);
            if (condition(view))
                return view;
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
