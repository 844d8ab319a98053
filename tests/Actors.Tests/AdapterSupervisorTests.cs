using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class AdapterSupervisorTests : TestKitBase
{
    private readonly SimulatedLab _lab = new();

    public AdapterSupervisorTests()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(AdapterStateChanged));
    }

    private IActorRef Supervise(AdapterSettings settings) => Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0");

    private AdapterStatus Status(IActorRef adapter) => adapter.Ask<AdapterStatus>(GetAdapterStatus.Instance, TestTime.DefaultTimeout).GetAwaiter().GetResult();

    private AdapterStateChanged ExpectState(AdapterState state) =>
        (AdapterStateChanged)Probe.FishForMessage(m => m is AdapterStateChanged c && c.State == state, TimeSpan.FromSeconds(5));

    private void ExpectTrafficFlows()
    {
        var before = _lab.Returned;
        AwaitCondition(() => _lab.Returned > before + 100, TimeSpan.FromSeconds(5), "traffic through the adapter");
    }

    [Fact]
    public void Runs_the_queues_and_forwards_traffic_through_the_filters()
    {
        var adapter = Supervise(_lab.Settings());
        ExpectState(AdapterState.Running);
        ExpectTrafficFlows();
        AwaitAssert(() =>
        {
            var status = Status(adapter);
            Assert.Equal(2, status.Queues.Count);
            Assert.True(status.Queues[0].FilterHits["drop-udp-flood"] > 0);
            Assert.True(status.Queues[1].FilterHits["steer-web"] > 0, "steered to queue 1 by the hardware filter");
            Assert.Equal(0, status.Queues[1].FilterHits["drop-udp-flood"]);
        });
    }

    [Fact]
    public void Disable_and_low_power_quiesce_with_every_buffer_home_and_come_back()
    {
        var adapter = Supervise(_lab.Settings());
        ExpectState(AdapterState.Running);
        foreach (var (off, on) in new[] { (DeviceEvent.Disable, DeviceEvent.Enable), (DeviceEvent.LowPower, DeviceEvent.FullPower) })
        {
            _lab.Adapter.Inject(off);
            var quiesced = ExpectState(AdapterState.Quiesced);
            Assert.Equal(quiesced.Buffers, quiesced.FreeBuffers);
            Assert.Equal(0, _lab.Adapter.FilterCount);
            _lab.Adapter.Inject(on);
            ExpectState(AdapterState.Running);
            ExpectTrafficFlows();
        }
    }

    [Fact]
    public void Surprise_removal_reclaims_every_buffer_reports_and_readopts_on_arrival()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(AdapterRemoved));
        var adapter = Supervise(_lab.Settings());
        ExpectState(AdapterState.Running);
        ExpectTrafficFlows();
        _lab.Adapter.Inject(DeviceEvent.SurpriseRemoval);
        Probe.FishForMessage(m => m is AdapterRemoved { Adapter: "pd0" });
        var removed = ExpectState(AdapterState.Removed);
        Assert.Equal(removed.Buffers, removed.FreeBuffers);
        _lab.Adapter.Inject(DeviceEvent.Arrival);
        ExpectState(AdapterState.Running);
        ExpectTrafficFlows();
    }

    [Fact]
    public void Link_down_is_counted_and_keeps_the_queues()
    {
        var adapter = Supervise(_lab.Settings());
        ExpectState(AdapterState.Running);
        _lab.Adapter.Inject(DeviceEvent.LinkDown);
        AwaitAssert(() =>
        {
            var status = Status(adapter);
            Assert.False(status.LinkUp);
            Assert.Equal(1, status.Events["LinkDown"]);
            Assert.Equal(AdapterState.Running, status.State);
        });
        _lab.Adapter.Inject(DeviceEvent.LinkUp);
        ExpectTrafficFlows();
    }

    [Fact]
    public void An_adapter_that_fails_pd_requirements_is_refused_with_the_reason()
    {
        using var lab = new SimulatedLab(AdapterInfo.ConnectX3Pro("ib0", 9) with { LinkType = LinkType.InfiniBand });
        var adapter = Supervise(lab.Settings());
        ExpectState(AdapterState.Refused);
        var status = Status(adapter);
        Assert.Contains("PacketDirect is supported only on Ethernet ports", status.Error);
        Assert.Equal(status.Buffers, status.FreeBuffers);
    }

    [Fact]
    public void Pd_off_in_config_leaves_the_adapter_alone()
    {
        var adapter = Supervise(_lab.Settings(pdEnabled: false));
        Assert.Equal(AdapterState.NotEnabled, Status(adapter).State);
        _lab.Adapter.Inject(DeviceEvent.Disable);
        _lab.Adapter.Inject(DeviceEvent.Enable);
        Assert.Equal(AdapterState.NotEnabled, Status(adapter).State);
    }

    [Fact]
    public void Drain_notification_queues_sleep_when_idle_and_wake_for_traffic()
    {
        var adapter = Supervise(_lab.Settings(drainNotification: true));
        ExpectState(AdapterState.Running);
        ExpectTrafficFlows();
    }

    [Fact]
    public void Steer_hands_a_flow_to_another_queue_in_software()
    {
        var filters = SimulatedLab.Compile("""
            [ { "id": "steer-dns", "action": "steer", "queue": 1, "match": { "protocol": "udp", "destinationPort": "53" } } ]
            """);
        var adapter = Supervise(_lab.Settings(filters: filters));
        ExpectState(AdapterState.Running);
        Assert.Equal(0, _lab.Adapter.FilterCount);
        ExpectTrafficFlows();
        AwaitAssert(() =>
        {
            var queues = Status(adapter).Queues;
            Assert.True(queues[0].FilterHits["steer-dns"] > 0);
            Assert.True(queues[1].SteeredIn > 0);
            Assert.True(queues[1].Forwarded >= queues[1].SteeredIn);
        });
        Watch(adapter);
        Sys.Stop(adapter);
        ExpectTerminated(adapter);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }

    [Fact]
    public void A_failed_adapter_supervisor_is_stopped_cleanly_and_started_again()
    {
        var attempts = 0;
        var settings = _lab.Settings() with
        {
            OpenProvider = () => ++attempts < 3 ? throw new IOException("driver hiccup") : new PdCluster.Provider.Simulated.SimulatedProvider(_lab.Adapter),
        };
        ExpectFailure<ActorInitializationException>(() => NodeSupervisor.Start(Sys, "n1", [settings]), occurrences: 2);
        ExpectState(AdapterState.Running);
        Assert.Equal(3, attempts);
        ExpectTrafficFlows();
    }

    [Fact]
    public void Stopping_the_supervisor_returns_every_buffer()
    {
        var adapter = Supervise(_lab.Settings());
        ExpectState(AdapterState.Running);
        ExpectTrafficFlows();
        Watch(adapter);
        Sys.Stop(adapter);
        ExpectTerminated(adapter);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }

    protected override void AfterTermination() => _lab.Dispose();
}
