using System.Net;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A team of two simulated adapters (pd0 with 2 queues, pd1 with 1) behind one switch and peer generator
/// (<see cref="SoftNicTeamLab"/>), under real adapter supervisors, a <see cref="FilterAgent"/> on an
/// <see cref="InMemoryStore"/> holding a cluster filter for each member, and the team's <see cref="TeamFailover"/>.
/// </summary>
public sealed class TeamFailoverTests : TestKitBase
{
    private const ulong Mac0 = 0x02_00_00_00_00_02;
    private const ulong Mac1 = 0x02_00_00_00_00_03;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly InMemoryStore _store = new(tick: TimeSpan.FromMilliseconds(20));
    private readonly SoftNicTeamLab _lab;
    private readonly BufferPool[] _pools = [new(4096, checkedMode: true), new(4096, checkedMode: true)];
    private readonly AdapterSettings[] _adapters;
    private readonly IActorRef _node;
    private readonly IActorRef _agent;
    private readonly TeamSettings _team;

    public TeamFailoverTests()
    {
        _lab = new SoftNicTeamLab(
            [AdapterInfo.ConnectX3Pro("pd0", Mac0), AdapterInfo.ConnectX3Pro("pd1", Mac1)],
            [[new GeneratorFlow("198.18.0.10", "198.18.1.1", 17, 40000, 7000)], [new GeneratorFlow("198.18.0.11", "198.18.1.2", 17, 40001, 7001)]],
            ratePps: 20_000);
        var local = FilterSpec.ReadList("""[ { "id": "count-rest", "priority": 100 } ]""", "node.json");
        var localSet = DataPath.CompiledFilterSet.Compile(local);
        _adapters =
        [
            new AdapterSettings("pd0", () => new SimulatedProvider(_lab.Members[0]), _lab.Members[0], _pools[0], localSet, Queues: 2, QueueSize: 512),
            new AdapterSettings("pd1", () => new SimulatedProvider(_lab.Members[1]), _lab.Members[1], _pools[1], localSet, Queues: 1, QueueSize: 512),
        ];
        // pd0's own cluster filters: one set in the adapter for queue 1, one steering in software to queue 1.
        Put("serve-a", """{ "id": "serve-a", "priority": 5, "queue": 1, "match": { "destinationIp": "198.18.1.1" } }""", "a");
        Put("steer-a", """{ "id": "steer-a", "priority": 6, "action": "steer", "queue": 1, "match": { "destinationPort": "7000" } }""", "a");
        Put("serve-b", """{ "id": "serve-b", "priority": 5, "queue": 0, "match": { "destinationIp": "198.18.1.2" } }""", "b");
        _node = NodeSupervisor.Start(Sys, "node-1", _adapters);
        _agent = FilterAgent.Start(Sys, new FilterAgentSettings(_store, "lab", "node-1", _node,
            [new FilterTarget("pd0", ["a"], 2), new FilterTarget("pd1", ["b"], 1)], local));
        _team = new TeamSettings("t0",
            [new TeamMember("pd0", Mac0, [IPAddress.Parse("198.18.1.1")]), new TeamMember("pd1", Mac1, [IPAddress.Parse("198.18.1.2")])], _node);
        TeamFailover.Start(Sys, _team);
        AwaitCondition(() => _adapters.All(a => a.Telemetry.State == AdapterState.Running), Timeout, "both members to run");
        _lab.Start();
    }

    protected override void AfterTermination()
    {
        _lab.Dispose();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var pool in _pools)
            pool.Dispose();
    }

    private void Put(string id, string filter, string label) =>
        _store.PutAsync($"/pd/lab/filters/{id}", $$"""{ "schemaVersion": 1, "filter": {{filter}}, "scope": { "adapterLabels": ["{{label}}"] } }""").GetAwaiter().GetResult();

    private FilterAgent.FilterSets Sets() => _agent.Ask<FilterAgent.FilterSets>(FilterAgent.GetFilterSets.Instance, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();

    private string[] Ids(string adapter) => Sets().Sets.TryGetValue(adapter, out var set) ? [.. set.Specs.Select(s => $"{s.Id}@{s.Queue}")] : [];

    /// <summary>Packets filter <paramref name="id"/> matched on <paramref name="adapter"/>'s running queues.</summary>
    private long Hits(int adapter, string id) => _adapters[adapter].Telemetry.Queues.Sum(q => q.Snapshot().FilterHits.GetValueOrDefault(id));

    private void Inject(int adapter, DeviceEvent e) => _lab.Members[adapter].Inject(e);

    private void AssertEveryBufferHome()
    {
        Sys.Stop(_node);
        AwaitAssert(() =>
        {
            for (var i = 0; i < _pools.Length; i++)
                Assert.True(_pools[i].FreeCount == _pools[i].Capacity, $"pd{i}: {_pools[i].Capacity - _pools[i].FreeCount} buffers are not home");
        }, Timeout);
    }

    [Fact]
    public void A_removed_member_s_filters_and_traffic_move_to_the_survivor_and_come_back_when_it_arrives()
    {
        AwaitAssert(() => Assert.True(Hits(0, "serve-a") > 0, "pd0 serves its own address"), Timeout);
        Assert.DoesNotContain("serve-a@0", Ids("pd1"));
        // Each member told the peers where its own address is when it first ran, before any failover.
        AwaitAssert(() => Assert.True(_team.Telemetry.Status.Announced >= 2, $"announced {_team.Telemetry.Status.Announced}"), Timeout);
        Assert.Equal(0, _team.Telemetry.Status.Failbacks);

        Inject(0, DeviceEvent.SurpriseRemoval);
        AwaitAssert(() =>
        {
            // The node file's filter once, pd1's own, then pd0's with queue 1 mapped onto pd1's only queue.
            Assert.Equal(["count-rest@", "serve-b@0", "serve-a@0", "steer-a@0"], Ids("pd1"));
            Assert.True(Hits(1, "serve-a") > 0, "the survivor counts the removed member's traffic");
        }, Timeout);
        var status = _team.Telemetry.Status;
        Assert.Equal(new TeamMemberStatus("pd0", false, "pd1"), status.Members[0]);
        Assert.Equal(new TeamMemberStatus("pd1", true, null), status.Members[1]);
        Assert.Equal(1, status.Failovers);
        Assert.True(_lab.Generator.Announcements >= 1, "the peer heard pd1 announce 198.18.1.1");
        Assert.True(Hits(1, "serve-b") > 0, "the survivor keeps serving its own address");
        AwaitAssert(() => Assert.True(_team.Telemetry.Status.Announced >= 1), Timeout);

        Inject(0, DeviceEvent.Arrival);
        AwaitAssert(() =>
        {
            Assert.Equal(["count-rest@", "serve-b@0"], Ids("pd1"));
            Assert.Equal(AdapterState.Running, _adapters[0].Telemetry.State);
            Assert.True(Hits(0, "serve-a") > 0, "pd0 serves its address again");
        }, Timeout);
        Assert.Equal([new TeamMemberStatus("pd0", true, null), new TeamMemberStatus("pd1", true, null)], _team.Telemetry.Status.Members);
        Assert.Equal(1, _team.Telemetry.Status.Failbacks);
        // Once pd0 has served a thousand more of its frames, the survivor has had the time to see any stray one.
        var before = Hits(1, "serve-a");
        var served = Hits(0, "serve-a");
        AwaitAssert(() => Assert.True(Hits(0, "serve-a") >= served + 1_000, "pd0 goes on serving its address"), Timeout);
        Assert.Equal(before, Hits(1, "serve-a"));
        AssertEveryBufferHome();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_storm_of_removals_and_arrivals_with_a_status_reader_ends_with_both_members_serving_and_every_buffer_home(int seed)
    {
        var random = new Random(seed);
        using var reading = new CancellationTokenSource();
        var reads = 0;
        Exception? readFailure = null;
        var reader = new Thread(() =>
        {
            try
            {
                Read();
            }
            catch (Exception e)
            {
                readFailure = e;
            }
        });
        void Read()
        {
            while (!reading.IsCancellationRequested)
            {
                var team = _team.Telemetry.Status;
                Assert.Equal(2, team.Members.Count);
                Assert.All(team.Members, m => Assert.True(m.CoveredBy is null || !m.Up, $"{m.Adapter} is up yet covered by {m.CoveredBy}"));
                _node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
                reads++;
            }
        }
        reader.Start();
        var injected = new long[2];
        for (var i = 0; i < 200; i++)
        {
            var adapter = random.Next(2);
            Inject(adapter, random.Next(2) == 0 ? DeviceEvent.SurpriseRemoval : DeviceEvent.Arrival);
            injected[adapter]++;
        }
        Inject(0, DeviceEvent.Arrival);
        Inject(1, DeviceEvent.Arrival);
        AwaitAssert(() =>
        {
            // Every event reached its supervisor, so the states seen next are the storm's end, not a lull in it.
            for (var i = 0; i < 2; i++)
            {
                var events = _adapters[i].Telemetry.Events;
                Assert.Equal(injected[i] + 1, events["SurpriseRemoval"] + events["Arrival"]);
            }

            Assert.All(_adapters, a => Assert.Equal(AdapterState.Running, a.Telemetry.State));
            Assert.Equal([new TeamMemberStatus("pd0", true, null), new TeamMemberStatus("pd1", true, null)], _team.Telemetry.Status.Members);
            Assert.Equal(["count-rest@", "serve-b@0"], Ids("pd1"));
            Assert.Equal(["count-rest@", "serve-a@1", "steer-a@1"], Ids("pd0"));
            // Every failover of a member's addresses was undone by a failback or handed on to another survivor.
            var team = _team.Telemetry.Status;
            Assert.True(team.Failovers >= 1 && team.Failbacks >= 1, $"failovers {team.Failovers}, failbacks {team.Failbacks}");
        }, Timeout);
        reading.Cancel();
        reader.Join();
        Assert.Null(readFailure);
        Assert.True(reads > 0);
        AwaitAssert(() => Assert.True(Hits(0, "serve-a") > 0 && Hits(1, "serve-b") > 0, "each member serves its own address"), Timeout);
        AssertEveryBufferHome();
    }
}
