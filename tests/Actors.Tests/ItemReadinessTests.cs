using System.Net;
using PdCluster.Actors.Framework;

namespace PdCluster.Tests.Actors;

/// <summary>Which declared items a node can serve now, from its adapters' states and teams.</summary>
public sealed class ItemReadinessTests
{
    private static readonly ClusterItem Vip0 = new("vip0", ClusterItemKind.Vip, IPAddress.Parse("198.18.0.250"), "pd0");
    private static readonly ClusterItem Vip1 = new("vip1", ClusterItemKind.Vip, IPAddress.Parse("198.18.0.251"), "pd1");
    private static readonly ClusterItem Shard = new("shard", ClusterItemKind.Shard);
    private static readonly Dictionary<string, string> NoTeams = [];

    [Theory]
    [InlineData(AdapterState.Removed, false)]
    [InlineData(AdapterState.Failed, false)]
    [InlineData(AdapterState.Refused, false)]
    [InlineData(AdapterState.Running, true)]
    [InlineData(AdapterState.Quiesced, true)]
    [InlineData(AdapterState.Starting, true)]
    public void A_vip_follows_its_own_adapter_and_a_shard_needs_any_adapter(AdapterState pd0, bool served)
    {
        var adapters = new Dictionary<string, AdapterState> { ["pd0"] = pd0, ["pd1"] = AdapterState.Running };
        Assert.Equal(served ? [] : ["vip0"], ItemReadiness.Unserved([Vip0, Vip1, Shard], adapters, NoTeams));
    }

    [Fact]
    public void A_shard_is_unserved_only_when_no_adapter_can_serve_and_an_adapter_not_reported_yet_counts_as_able()
    {
        var gone = new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Removed, ["pd1"] = AdapterState.Refused };
        Assert.Equal(["vip0", "vip1", "shard"], ItemReadiness.Unserved([Vip0, Vip1, Shard], gone, NoTeams));
        Assert.Empty(ItemReadiness.Unserved([Vip0, Vip1, Shard], new Dictionary<string, AdapterState>(), NoTeams));
        Assert.Equal(["vip0"], ItemReadiness.Unserved([Vip0, Vip1], new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Failed }, NoTeams));
    }

    [Fact]
    public void A_vip_on_a_team_member_is_served_while_one_member_of_its_team_can_serve()
    {
        var teams = new Dictionary<string, string> { ["pd0"] = "t0", ["pd1"] = "t0" };
        var one = new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Removed, ["pd1"] = AdapterState.Running };
        Assert.Empty(ItemReadiness.Unserved([Vip0, Vip1], one, teams));
        var none = new Dictionary<string, AdapterState> { ["pd0"] = AdapterState.Removed, ["pd1"] = AdapterState.Failed };
        Assert.Equal(["vip0", "vip1"], ItemReadiness.Unserved([Vip0, Vip1], none, teams));
    }
}
