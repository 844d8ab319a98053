using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Tests.Cluster.Etcd;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>The Membership actor against a real etcd member: etcd's 2 s minimum lease, keepalives over HTTP, a lost lease.</summary>
public sealed class MembershipOnEtcdTests : TestKitBase
{
    private static readonly TimeSpan Registration = TimeSpan.FromSeconds(15);

    private readonly List<IAsyncDisposable> _owned = [];

    protected override void AfterTermination()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
            owned.DisposeAsync().AsTask().Wait();
    }

    private async Task<EtcdStore> StartEtcdAsync() => (await StartServerAsync()).Store;

    private async Task<(EtcdServer Server, EtcdStore Store)> StartServerAsync()
    {
        var etcd = await EtcdServer.StartAsync();
        _owned.Add(etcd);
        var store = new EtcdStore(etcd.Options);
        _owned.Add(store);
        return (etcd, store);
    }

    private void Join(IClusterStore store)
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Membership.Registered));
        Sys.ActorOf(Props.Create(() => new Membership(new MembershipSettings(store, "lab", "n1", "127.0.0.1:9470", TimeSpan.FromSeconds(2)))), "membership");
    }

    [EtcdFact]
    public async Task A_node_stays_registered_on_an_etcd_lease_past_several_ttls()
    {
        var store = await StartEtcdAsync();
        Join(store);
        var registered = ExpectMsg<Membership.Registered>(timeout: Registration);
        Assert.Equal(registered.Lease, (await store.GetAsync("/pd/lab/members/n1")).Items.Single().Lease);

        // Without keepalives the 2 s lease would be gone long before this.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal(registered.Lease, (await store.GetAsync("/pd/lab/members/n1")).Items.Single().Lease);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [EtcdFact]
    public async Task A_node_whose_etcd_lease_is_lost_registers_again()
    {
        var store = await StartEtcdAsync();
        Join(store);
        var first = ExpectMsg<Membership.Registered>(timeout: Registration);
        await store.RevokeAsync(first.Lease);

        var second = ExpectMsg<Membership.Registered>(timeout: Registration);
        Assert.NotEqual(first.Lease, second.Lease);
        Assert.Equal(second.Lease, (await store.GetAsync("/pd/lab/members/n1")).Items.Single().Lease);
    }

    [EtcdFact]
    public async Task A_keepalive_etcd_leaves_unanswered_is_reported_as_such_and_the_node_registers_again_once_it_answers()
    {
        var (etcd, store) = await StartServerAsync();
        Sys.EventStream.Subscribe(TestActor, typeof(ActorError));
        Join(store);
        var first = ExpectMsg<Membership.Registered>(timeout: Registration);

        etcd.Freeze(0);
        ActorError unanswered;
        try
        {
            unanswered = (ActorError)Probe.FishForMessage(m => m is ActorError e && e.Message.Contains("could not keep lease", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }
        finally
        {
            etcd.Freeze(0, frozen: false);
        }
        Assert.Contains($"n1 could not keep lease {first.Lease:x} alive: the store answered no keepalive within the lease's TTL (2 s)", unanswered.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(unanswered.Cause);

        var second = (Membership.Registered)Probe.FishForMessage(m => m is Membership.Registered, Registration);
        Assert.NotEqual(first.Lease, second.Lease);
    }
}
