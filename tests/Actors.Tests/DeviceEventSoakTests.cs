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
        var device = new ImpliedDeviceState();
        for (var step = 0; step < 60; step++)
        {
            var e = events[random.Next(events.Length)];
            _lab.Adapter.Inject(e);
            device.Apply(e);
            var expected = device.State;
            AwaitAssert(() => Assert.Equal(expected, Status(adapter).State), TimeSpan.FromSeconds(5));
            var status = Status(adapter);
            if (expected != AdapterState.Running)
                Assert.True(status.Buffers == status.FreeBuffers, $"step {step} ({e}): {status.Buffers - status.FreeBuffers} buffers missing in {expected}");
            else if (device.Link && step % 6 == 0)
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

    [Fact]
    public void Restarts_and_readoptions_leave_one_buffer_cache_per_live_queue()
    {
        const int Rounds = 250;
        var armed = 0;
        var incarnations = 0;
        var settings = _lab.Settings(stages: () =>
        {
            Interlocked.Increment(ref incarnations);
            return
            [
                new FailingStage(_ => Volatile.Read(ref armed) > 0 && Interlocked.Decrement(ref armed) >= 0 ? new InvalidOperationException("stage bug") : null),
                new L2ForwardStage(),
            ];
        });
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(ActorFailed));
        Sys.EventStream.Subscribe(events.Ref, typeof(AdapterStateChanged));
        var adapter = Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0");
        var pool = _lab.Pool;
        AdapterStateChanged ExpectState(AdapterState state) =>
            (AdapterStateChanged)events.FishForMessage(m => m is AdapterStateChanged c && c.State == state);
        ExpectState(AdapterState.Running);
        // Two new queue actors since `before` (restarted or re-adopted), each with a cache of its own and no other cache left.
        void ExpectTwoNewQueues(int before, string what)
        {
            AwaitCondition(() => Volatile.Read(ref incarnations) >= before + 2, what: what);
            AwaitCondition(() => pool.CacheCount == 2, what: $"one cache per queue after {what} (have {pool.CacheCount})");
        }
        for (var round = 0; round < Rounds; round++)
        {
            // Two queue-actor restarts through the failing stage (at most two per queue actor: within the limit).
            var before = Volatile.Read(ref incarnations);
            Interlocked.Exchange(ref armed, 2);
            for (var i = 0; i < 2; i++)
                events.FishForMessage(m => m is ActorFailed { Directive: Directive.Restart, Cause.Message: "stage bug" });
            ExpectTwoNewQueues(before, $"the restarts of round {round}");

            // Then the adapter goes away and comes back, alternately disabled and surprise-removed: both queues re-adopted.
            var (off, on, closed) = round % 2 == 0
                ? (DeviceEvent.Disable, DeviceEvent.Enable, AdapterState.Quiesced)
                : (DeviceEvent.SurpriseRemoval, DeviceEvent.Arrival, AdapterState.Removed);
            _lab.Adapter.Inject(off);
            var stopped = ExpectState(closed);
            Assert.Equal(stopped.Buffers, stopped.FreeBuffers);
            Assert.Equal(0, pool.CacheCount);
            before = Volatile.Read(ref incarnations);
            _lab.Adapter.Inject(on);
            ExpectState(AdapterState.Running);
            ExpectTwoNewQueues(before, $"round {round} re-adopted the adapter");
        }
        Assert.True(incarnations >= 2 + 1000, $"{incarnations} queue-actor incarnations");
        Assert.Equal(2, Status(adapter).Queues.Count);
        Watch(adapter);
        Sys.Stop(adapter);
        ExpectTerminated(adapter);
        Assert.Equal(0, pool.CacheCount);
        Assert.Equal(pool.Capacity, pool.FreeCount);
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
