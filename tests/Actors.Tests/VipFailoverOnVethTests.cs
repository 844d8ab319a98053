using System.Diagnostics;
using System.Net;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Provider.AfPacket;
using PdCluster.Tests.Provider.Veth;
using Xunit.Abstractions;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A VIP failing over on a real link: the node that takes it after its owner died announces it with gratuitous ARP
/// on its veth, and the kernel at the other end moves the VIP's neighbour entry to that node's MAC.
/// </summary>
public sealed class VipFailoverOnVethTests(ITestOutputHelper output)
{
    private const string Vip = "198.18.1.100";

    [VethFact]
    public async Task The_node_that_takes_a_dead_owners_VIP_announces_it_and_the_link_follows()
    {
        using var pair = new VethPair();
        Assert.Equal(0, pair.RunInPeer($"sh -c \"echo 1 > /proc/sys/net/ipv4/conf/{pair.PeerInterface}/arp_accept && echo 0 > /proc/sys/net/ipv4/neigh/{pair.PeerInterface}/locktime\"").Code);
        await using var store = new InMemoryStore(tick: TimeSpan.FromMilliseconds(50));
        var vip = new ClusterItem("web", ClusterItemKind.Vip, IPAddress.Parse(Vip), "pd0");
        // n1 (its link not modelled) owns the VIP first; the peer knows the VIP at n1's MAC.
        await using var n1 = new FailoverNode(store, "lab", "n1", [], TimeSpan.FromSeconds(2), vips: [vip]);
        var deadline = Stopwatch.StartNew();
        while (!n1.Serving.ContainsKey("web"))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "n1 never took the VIP");
            await Task.Delay(20);
        }
        VethPair.Ip($"-n {pair.PeerNamespace} neigh replace {Vip} lladdr 02:00:00:00:00:99 dev {pair.PeerInterface} nud stale");
        await using var n2 = new FailoverNode(store, "lab", "n2", [], TimeSpan.FromSeconds(2), vips: [vip], announcer: new AfPacketAnnouncer(pair.DeviceInterface, pair.Device));
        await Task.Delay(300);
        Assert.Contains("02:00:00:00:00:99", Neighbour(pair));

        var died = Stopwatch.GetTimestamp();
        await n1.KillAsync();
        string entry;
        while (!(entry = Neighbour(pair)).Contains("02:00:00:00:00:02"))
        {
            Assert.True(Stopwatch.GetElapsedTime(died) < TimeSpan.FromSeconds(10), $"the peer's entry for the VIP stayed '{entry.Trim()}'");
            await Task.Delay(10);
        }
        Assert.True(n2.Serving.ContainsKey("web"));
        output.WriteLine($"owner death to the link's neighbour entry on the new owner's MAC: {Stopwatch.GetElapsedTime(died).TotalMilliseconds:0} ms (lease TTL 2 s)");
    }

    private static string Neighbour(VethPair pair) => pair.RunInPeer($"ip neigh show {Vip} dev {pair.PeerInterface}").Output;
}
