using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.DataPath;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class DeviceEventSoakTests : TestKitBase
{
    private readonly SimulatedLab _lab = new();

    protected override void AfterTermination() => _lab.Dispose();

    private AdapterStatus Status(IActorRef adapter) => adapter.Ask<AdapterStatus>(GetAdapterStatus.Instance, TestTime.DefaultTimeout).GetAwaiter().GetResult();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_device_events_under_traffic_never_lose_a_buffer(int seed)
    {
        var adapter = Sys.ActorOf(Props.Create(() => new AdapterSupervisor(_lab.Settings())), "pd0");
        var random = new Random(seed);
        var events = Enum.GetValues<DeviceEvent>();
        bool present = true, enabled = true, powered = true, link = true;
        for (var step = 0; step < 60; step++)
        {
            var e = events[random.Next(events.Length)];
            _lab.Adapter.Inject(e);
            switch (e)
            {
                case DeviceEvent.LinkUp: link = true; break;
                case DeviceEvent.LinkDown: link = false; break;
                case DeviceEvent.Enable: enabled = true; break;
                case DeviceEvent.Disable: enabled = false; break;
                case DeviceEvent.FullPower: powered = true; break;
                case DeviceEvent.LowPower: powered = false; break;
                case DeviceEvent.SurpriseRemoval: present = false; break;
                case DeviceEvent.Arrival: present = true; break;
            }
            var expected = !present ? AdapterState.Removed : enabled && powered ? AdapterState.Running : AdapterState.Quiesced;
            AwaitAssert(() => Assert.Equal(expected, Status(adapter).State), TimeSpan.FromSeconds(5));
            var status = Status(adapter);
            if (expected != AdapterState.Running)
                Assert.True(status.Buffers == status.FreeBuffers, $"step {step} ({e}): {status.Buffers - status.FreeBuffers} buffers missing in {expected}");
            else if (link && step % 6 == 0)
            {
                var before = _lab.Returned;
                AwaitCondition(() => _lab.Returned > before + 50, TimeSpan.FromSeconds(5), $"traffic after step {step} ({e})");
            }
        }
        Watch(adapter);
        Sys.Stop(adapter);
        ExpectTerminated(adapter);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }

    private sealed class FailingStage(Func<int, Exception?> failure) : IPacketStage
    {
        private int _bursts;

        public void Process(PacketBurst burst)
        {
            if (failure(++_bursts) is { } e)
                throw e;
        }
    }

    [Fact]
    public void A_bad_packet_resumes_the_queue()
    {
        var settings = _lab.Settings(stages: () => [new FailingStage(n => n % 50 == 0 ? new BadPacketException("runt") : null), new L2ForwardStage()]);
        var failures = ExpectFailure<BadPacketException>(() => Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0"), occurrences: 3);
        Assert.All(failures, f => Assert.Equal(Directive.Resume, f.Directive));
        var before = _lab.Returned;
        AwaitCondition(() => _lab.Returned > before + 100, TimeSpan.FromSeconds(5), "traffic after resumes");
    }

    [Fact]
    public void A_broken_stage_is_restarted_within_limits_then_stopped()
    {
        var settings = _lab.Settings(stages: () => [new FailingStage(_ => new InvalidOperationException("stage bug")), new L2ForwardStage()]);
        IActorRef adapter = Nobody.Instance;
        var failures = ExpectFailure<InvalidOperationException>(() => adapter = Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0"), occurrences: 8);
        Assert.Contains(failures, f => f.Directive == Directive.Restart);
        AwaitAssert(() =>
        {
            var status = Status(adapter);
            Assert.Contains("stopped after repeated failures", status.Error);
        });
        Watch(adapter);
        Sys.Stop(adapter);
        ExpectTerminated(adapter);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }
}
