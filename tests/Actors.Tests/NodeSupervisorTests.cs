using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>The node supervisor's fresh starts of a failed adapter supervisor, counted on a clock the test moves.</summary>
public sealed class NodeSupervisorTests : TestKitBase
{
    private readonly ManualTime _time;
    private readonly SimulatedLab _lab = new();
    private readonly IActorRef _node;

    public NodeSupervisorTests()
        : this(new ManualTime())
    {
    }

    private NodeSupervisorTests(ManualTime time)
        : base(new ActorSystemSettings(Time: time))
    {
        _time = time;
        Sys.EventStream.Subscribe(TestActor, typeof(AdapterStateChanged));
        Sys.EventStream.Subscribe(TestActor, typeof(ActorError));
        _node = NodeSupervisor.Start(Sys, "n1", [_lab.Settings()]);
        ExpectRunning();
    }

    protected override void AfterTermination() => _lab.Dispose();

    private void ExpectRunning() =>
        Probe.FishForMessage(m => m is AdapterStateChanged { State: AdapterState.Running }, TimeSpan.FromSeconds(5));

    /// <summary>Fails the adapter supervisor; the node stops it, so its queues drain and its provider closes.</summary>
    private void FailAdapter() =>
        ExpectFailure<ActorKilledException>(() => _node.Tell(new ToAdapter("pd0", Kill.Instance)));

    private NodeStatus NodeStatus() => _node.Ask<NodeStatus>(GetNodeStatus.Instance, TestTime.DefaultTimeout).GetAwaiter().GetResult();

    private AdapterStatus AdapterStatus(string adapter) =>
        _node.Ask<AdapterStatus>(new ToAdapter(adapter, GetAdapterStatus.Instance), TestTime.DefaultTimeout).GetAwaiter().GetResult();

    [Fact]
    public void A_failed_adapter_is_started_afresh_three_times_in_a_minute_then_stays_stopped()
    {
        for (var i = 0; i < 3; i++)
        {
            FailAdapter();
            ExpectRunning();
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        FailAdapter();

        var error = (ActorError)Probe.FishForMessage(m => m is ActorError, TimeSpan.FromSeconds(5));
        Assert.Equal("n1: pd0 failed again after 3 fresh starts within 1 min; it stays stopped.", error.Message);
        Assert.Empty(NodeStatus().Adapters);
        Assert.Throws<KeyNotFoundException>(() => AdapterStatus("pd0"));
        Assert.Equal(0, _lab.Adapter.FilterCount);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }

    [Fact]
    public void Fresh_starts_are_counted_in_a_window_on_the_system_clock()
    {
        for (var i = 0; i < 3; i++)
        {
            FailAdapter();
            ExpectRunning();
        }
        _time.Advance(TimeSpan.FromSeconds(61));

        // A new window: three more fresh starts.
        for (var i = 0; i < 3; i++)
        {
            FailAdapter();
            ExpectRunning();
        }
        var status = Assert.Single(NodeStatus().Adapters);
        Assert.Equal(AdapterState.Running, status.State);
    }
}
