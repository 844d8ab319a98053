using System.Diagnostics;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class MembershipTests : TestKitBase
{
    private readonly CountingStore _store = new(new InMemoryStore(tick: TimeSpan.FromMilliseconds(20)));

    protected override void AfterTermination() => _store.DisposeAsync().AsTask().Wait();

    private IActorRef Join(TimeSpan? ttl = null)
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Membership.Registered));
        return Sys.ActorOf(Props.Create(() => new Membership(new MembershipSettings(_store, "lab", "n1", "127.0.0.1:9470", ttl ?? TimeSpan.FromSeconds(2)))), "membership");
    }

    [Fact]
    public async Task Registers_on_a_lease_and_mirrors_adapter_state()
    {
        Join();
        var registered = ExpectMsg<Membership.Registered>();
        var member = (await _store.GetAsync("/pd/lab/members/n1")).Items.Single();
        Assert.Equal(registered.Lease, member.Lease);
        Assert.Equal("n1", JsonSerializer.Deserialize(member.Value, MembershipJson.Default.MemberRecord)!.Node);

        Sys.EventStream.Publish(new AdapterStateChanged("pd0", AdapterState.Removed, 10, 10));
        await AwaitStatus(s => s.Adapters.GetValueOrDefault("pd0") == AdapterState.Removed);
    }

    [Fact]
    public async Task A_status_the_store_refuses_is_written_again_without_refusals_so_adapter_states_still_get_through()
    {
        // Room for adapters and revisions, not for the 100 refusals listed.
        _store.MaxValueLength = 2_000;
        Join();
        ExpectMsg<Membership.Registered>();
        RejectedFilter[] rejected = [.. Enumerable.Range(0, 5_000).Select(i => new RejectedFilter($"q9-{i}", "pd0", $"filter 'q9-{i}': queue 9 does not exist on pd0 (queues 0..1).", 5_000 - i))];
        Sys.EventStream.Publish(new FilterAgentStatus(7_000, 5_000, rejected, null, rejected.Length));
        await AwaitStatus(s => s.Filters is { AppliedRevision: 7_000, RejectedCount: 5_000, Rejected.Count: 0 });

        Sys.EventStream.Publish(new AdapterStateChanged("pd0", AdapterState.Removed, 10, 10));
        await AwaitStatus(s => s.Adapters.GetValueOrDefault("pd0") == AdapterState.Removed);

        // With room again, the next write lists the newest 100.
        _store.MaxValueLength = 0;
        Sys.EventStream.Publish(new AdapterStateChanged("pd0", AdapterState.Running, 11, 11));
        await AwaitStatus(s => s.Filters is { Rejected.Count: FilterAgentStatus.ListedRejections } f && f.Rejected[0].Id == "q9-0");
    }

    [Fact]
    public async Task Keepalives_hold_the_lease_past_its_ttl()
    {
        Join(TimeSpan.FromMilliseconds(300));
        ExpectMsg<Membership.Registered>();
        await Task.Delay(1000);
        Assert.Single((await _store.GetAsync("/pd/lab/members/n1")).Items);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Keepalives_go_about_three_times_per_ttl()
    {
        var ttl = TimeSpan.FromMilliseconds(600);
        Join(TestTime.Dilated(ttl));
        ExpectMsg<Membership.Registered>();
        var before = _store.KeepAlives;
        var clock = Stopwatch.StartNew();
        // No re-registration while the keepalives are counted: the lease holds throughout.
        ExpectNoMsg(4 * ttl);
        var keepAlives = _store.KeepAlives - before;
        var ttls = clock.Elapsed / TestTime.Dilated(ttl);
        Assert.InRange(keepAlives, (int)(2 * ttls), (int)(4 * ttls) + 1);
        Assert.Equal(1, _store.MaxInFlight);
    }

    [Fact]
    public async Task A_slow_store_gets_one_keepalive_at_a_time()
    {
        var interval = TimeSpan.FromMilliseconds(300);
        Join(TestTime.Dilated(3 * interval));
        var first = ExpectMsg<Membership.Registered>();
        _store.Hold();
        AwaitCondition(() => _store.Held == 1, what: "a keepalive the store holds");
        var sent = _store.KeepAlives;
        // The held keepalive renewed the lease; the next tick finds it unanswered and sends nothing.
        ExpectNoMsg(1.5 * interval);
        Assert.Equal(sent, _store.KeepAlives);
        _store.Answer();
        AwaitCondition(() => _store.KeepAlives >= sent + 2, what: "keepalives after the slow answer");
        Assert.Equal(1, _store.MaxInFlight);
        Assert.Equal(first.Lease, (await _store.GetAsync("/pd/lab/members/n1")).Items.Single().Lease);
    }

    [Fact]
    public async Task A_lost_lease_is_registered_again()
    {
        Join(TimeSpan.FromMilliseconds(300));
        var first = ExpectMsg<Membership.Registered>();
        await _store.RevokeAsync(first.Lease);
        var second = ExpectMsg<Membership.Registered>(timeout: TimeSpan.FromSeconds(3));
        Assert.NotEqual(first.Lease, second.Lease);
        Assert.Equal(second.Lease, (await _store.GetAsync("/pd/lab/members/n1")).Items.Single().Lease);
    }

    [Fact]
    public async Task Leaving_removes_the_node_at_once()
    {
        var membership = Join();
        ExpectMsg<Membership.Registered>();
        Sys.EventStream.Publish(new AdapterStateChanged("pd0", AdapterState.Running, 10, 10));
        await AwaitStatus(_ => true);
        membership.Tell(LeaveCluster.Instance, TestActor);
        ExpectMsg<LeftCluster>();
        Assert.Empty((await _store.RangeAsync("/pd/lab/")).Items);
    }

    private async Task AwaitStatus(Func<MemberStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTime.DefaultTimeout;
        while (true)
        {
            var item = (await _store.GetAsync("/pd/lab/status/n1")).Items.SingleOrDefault();
            if (item is not null && condition(JsonSerializer.Deserialize(item.Value, MembershipJson.Default.MemberStatus)!))
                return;
            Assert.True(DateTime.UtcNow < deadline, "status never reached the expected state");
            await Task.Delay(20);
        }
    }
}
