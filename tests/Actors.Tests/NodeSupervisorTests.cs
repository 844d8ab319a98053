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
    private readonly AdapterSettings _settings;

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
        _settings = _lab.Settings();
        _node = NodeSupervisor.Start(Sys, "n1", [_settings]);
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
        const string reason = "n1: pd0 failed again after 3 fresh starts within 1 min; it stays stopped.";
        Assert.Equal(reason, error.Message);
        // Given up is an error wherever an operator looks: the node's status, the telemetry metrics read, the events.
        var status = Assert.Single(NodeStatus().Adapters);
        Assert.Equal(AdapterState.Failed, status.State);
        Assert.Equal(reason, status.Error);
        Assert.Empty(status.Queues);
        Assert.Equal(AdapterState.Failed, _settings.Telemetry.State);
        Assert.Equal(reason, _settings.Telemetry.Failure);
        Assert.Empty(_settings.Telemetry.Queues);
        Assert.Throws<KeyNotFoundException>(() => AdapterStatus("pd0"));
        Assert.Equal(0, _lab.Adapter.FilterCount);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }

    [Fact]
    public void Giving_up_on_an_adapter_that_cannot_open_names_the_cause()
    {
        var settings = _lab.Settings() with { Name = "pd1", OpenProvider = () => throw new InvalidOperationException("the interface's XDP slot is taken") };
        Sys.ActorOf(Props.Create(() => new NodeSupervisor("n2", [settings])), "node-n2");

        var error = (ActorError)Probe.FishForMessage(m => m is ActorError e && e.Message.StartsWith("n2:"), TimeSpan.FromSeconds(10));

        const string reason = "n2: pd1 failed again after 3 fresh starts within 1 min; it stays stopped. The last failure: the interface's XDP slot is taken";
        Assert.Equal(reason, error.Message);
        Assert.Equal(reason, settings.Telemetry.Failure);
        Assert.Equal(AdapterState.Failed, settings.Telemetry.State);
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

    [Fact]
    public void Device_event_counts_survive_a_fresh_start()
    {
        _lab.Adapter.Inject(Nic.Adapters.DeviceEvent.LinkDown);
        _lab.Adapter.Inject(Nic.Adapters.DeviceEvent.LinkUp);
        AwaitAssert(() => Assert.Equal(1, AdapterStatus("pd0").Events["LinkUp"]), TimeSpan.FromSeconds(5));
        FailAdapter();
        ExpectRunning();
        var status = AdapterStatus("pd0");
        Assert.Equal(1, status.Events["LinkDown"]);
        Assert.Equal(1, status.Events["LinkUp"]);
    }
}
