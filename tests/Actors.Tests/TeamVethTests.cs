using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.DataPath;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.TestKit;
using PdCluster.Tests.Provider.Veth;
using Xunit.Abstractions;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A team of two real interfaces (<see cref="TeamVeth"/>) under adapter supervisors, a <see cref="FilterAgent"/> and
/// the team's <see cref="TeamFailover"/>: the peer's kernel sends UDP to 198.18.1.1 (A's address) through its bridge;
/// <c>ip link del</c> of A makes B announce 198.18.1.1 by gratuitous ARP and A's 2001:2::1 by unsolicited neighbor
/// advertisement out of its PD transmit queue, the peer's kernel moves both addresses to B's MAC, and B's queue counts the traffic under A's filter; A plugged in again takes it back.
/// </summary>
public sealed class TeamVethTests : TestKitBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ITestOutputHelper _output;
    private readonly TeamVeth _veth;
    private readonly InMemoryStore _store = new(tick: TimeSpan.FromMilliseconds(20));
    private readonly BufferPool[] _pools = [new(1024, checkedMode: true), new(1024, checkedMode: true)];
    private readonly List<PdAdapter> _bound = [];

    public TeamVethTests(ITestOutputHelper output)
    {
        _output = output;
        HostPrerequisite.Require();
        _veth = new TeamVeth();
    }

    protected override void AfterTermination()
    {
        foreach (var adapter in _bound)
            adapter.Dispose();
        _veth.Dispose();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private AdapterSettings Supervised(string provider, string name, string device, BufferPool pool, CompiledFilterSet filters)
    {
        var adapter = PdProviderRegistry.Default.Get(provider).Bind(new PdAdapterOptions(name, PdRequirements.Default,
            AfXdp: new AfXdpAdapterOptions(device, _veth.DeviceNamespace), AfPacket: new AfPacketAdapterOptions(device, _veth.DeviceNamespace)));
        _bound.Add(adapter);
        return new AdapterSettings(name, adapter.OpenProvider, adapter.Events, pool, filters, Queues: 1, QueueSize: 256, DrainNotification: true);
    }

    [VethTheory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void The_peer_s_traffic_to_a_pulled_interface_resumes_through_the_survivor_after_its_gratuitous_arp_and_returns_on_arrival(string provider)
    {
        var local = FilterSpec.ReadList("""[ { "id": "count-rest", "priority": 100 } ]""", "node.json");
        var localSet = CompiledFilterSet.Compile(local);
        AdapterSettings[] adapters = [Supervised(provider, "pd0", _veth.InterfaceA, _pools[0], localSet), Supervised(provider, "pd1", _veth.InterfaceB, _pools[1], localSet)];
        _store.PutAsync("/pd/lab/filters/serve-a",
            """{ "schemaVersion": 1, "filter": { "id": "serve-a", "priority": 5, "match": { "protocol": "udp", "destinationIp": "198.18.1.1" } }, "scope": { "adapterLabels": ["a"] } }""")
            .GetAwaiter().GetResult();
        var node = NodeSupervisor.Start(Sys, "node-1", adapters);
        var agent = FilterAgent.Start(Sys, new FilterAgentSettings(_store, "lab", "node-1", node, [new FilterTarget("pd0", ["a"], 1), new FilterTarget("pd1", [], 1)], local));
        var team = new TeamSettings("t0",
            [
                new TeamMember("pd0", TeamVeth.MacA, [IPAddress.Parse("198.18.1.1"), IPAddress.Parse("2001:2::1")]) { LinkAddress = _bound[0].Announcer!.LinkAddress },
                new TeamMember("pd1", TeamVeth.MacB, [IPAddress.Parse("198.18.1.2")]) { LinkAddress = _bound[1].Announcer!.LinkAddress },
            ], node);
        TeamFailover.Start(Sys, team);
        AwaitCondition(() => adapters.All(a => a.Telemetry.State == AdapterState.Running), Timeout, "both members to run");
        long Hits(int adapter) => adapters[adapter].Telemetry.Queues.Sum(q => q.Snapshot().FilterHits.GetValueOrDefault("serve-a"));
        string[] Ids(string adapter) =>
            [.. agent.Ask<FilterAgent.FilterSets>(FilterAgent.GetFilterSets.Instance, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult().Sets[adapter].Specs.Select(s => s.Id)];
        VethPair.Ip($"-n {_veth.PeerNamespace} neigh replace 198.18.1.1 lladdr {VethPair.Mac(TeamVeth.MacA)} dev {_veth.Bridge} nud reachable");
        // A's IPv6 address too, which the survivor announces by unsolicited neighbor advertisement.
        _veth.UseIpv6OnBridge();
        VethPair.Ip($"-n {_veth.PeerNamespace} -6 neigh replace 2001:2::1 lladdr {VethPair.Mac(TeamVeth.MacA)} dev {_veth.Bridge} nud reachable");

        using var traffic = new PeerUdp(_veth.PeerSocket());
        AwaitAssert(() => Assert.True(Hits(0) > 0, "A counts the peer's traffic to 198.18.1.1"), Timeout);
        Assert.Equal(0, Hits(1));

        var removal = Stopwatch.StartNew();
        _veth.DeleteA();
        var deleted = removal.Elapsed;
        AwaitCondition(() => Hits(1) > 0, Timeout, "B to count the peer's traffic to 198.18.1.1");
        var served = removal.Elapsed;
        _output.WriteLine($"{provider}: ip link del of A returned after {deleted.TotalMilliseconds:0.0} ms; B counted the peer's traffic to A's address " +
            $"{served.TotalMilliseconds:0.0} ms after the removal began (its counters polled in a loop; the peer sends a datagram every ms).");
        Assert.Contains(VethPair.Mac(TeamVeth.MacB), _veth.Neighbour("198.18.1.1"));
        AwaitAssert(() => Assert.Contains(VethPair.Mac(TeamVeth.MacB), _veth.Neighbour("2001:2::1")), Timeout);
        // B's queue counts under the adopted filter as soon as it takes the set; the agent records it when the confirmation reaches it.
        AwaitAssert(() => Assert.Contains("serve-a", Ids("pd1")), Timeout);
        Assert.Equal(new TeamMemberStatus("pd0", false, "pd1"), team.Telemetry.Status.Members[0]);
        AwaitAssert(() => Assert.True(team.Telemetry.Status.Announced >= 1), Timeout);

        // A replaced NIC comes back with a MAC of its own: A announces its addresses from that one.
        var before = Hits(0);
        _veth.AddA(TeamVeth.MacReplacement);
        AwaitAssert(() =>
        {
            Assert.Equal(AdapterState.Running, adapters[0].Telemetry.State);
            Assert.True(Hits(0) > before, "A counts the traffic to its address again");
            Assert.DoesNotContain("serve-a", Ids("pd1"));
        }, Timeout);
        Assert.Contains(VethPair.Mac(TeamVeth.MacReplacement), _veth.Neighbour("198.18.1.1"));
        AwaitAssert(() => Assert.Contains(VethPair.Mac(TeamVeth.MacReplacement), _veth.Neighbour("2001:2::1")), Timeout);
        Assert.Equal(1, team.Telemetry.Status.Failbacks);

        Sys.Stop(node);
        AwaitAssert(() => Assert.All(_pools, p => Assert.Equal(p.Capacity, p.FreeCount)), Timeout);
    }

    /// <summary>The peer's kernel sending a UDP datagram to 198.18.1.1 port 9 every millisecond from a thread of its own.</summary>
    private sealed class PeerUdp : IDisposable
    {
        private readonly Socket _socket;
        private readonly Thread _thread;
        private volatile bool _stop;

        public PeerUdp(Socket socket)
        {
            _socket = socket;
            var target = new IPEndPoint(IPAddress.Parse("198.18.1.1"), 9);
            var payload = new byte[32];
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    try
                    {
                        _socket.SendTo(payload, target);
                    }
                    catch (SocketException)
                    {
                        // The neighbour is being resolved again, or the route is changing: the next datagram goes.
                    }
                    Thread.Sleep(1);
                }
            }) { IsBackground = true, Name = "peer udp" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
            _socket.Dispose();
        }
    }
}
