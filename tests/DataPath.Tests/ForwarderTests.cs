using PdCluster.Concurrency;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.DataPath;

public sealed class ForwarderTests : IDisposable
{
    private readonly SoftNicLab _lab = new(AdapterInfo.ConnectX3Pro("dut", 0x02_00_00_00_00_02),
    [
        new GeneratorFlow("198.18.0.1", "198.18.1.1", 17, 1000, 53),
        new GeneratorFlow("198.18.200.9", "198.18.1.1", 17, 1000, 9999),
        new GeneratorFlow("198.18.0.2", "198.18.1.1", 6, 1000, 80),
    ]);
    private readonly BufferPool _pool = new(4096);
    private readonly SimulatedProvider _provider;
    private readonly TrafficGenerator _generator;

    public ForwarderTests()
    {
        _provider = new SimulatedProvider(_lab.Adapter);
        _generator = _lab.Generator!;
    }

    public void Dispose()
    {
        _lab.Dispose();
        _provider.Dispose();
        _pool.Dispose();
    }

    private static FilterSpec Spec(string id, FilterAction action, params (string Key, string Value)[] match) =>
        new() { Id = id, Action = action, Match = match.ToDictionary(m => m.Key, m => m.Value) };

    private static FilterTable Table(IReadOnlyList<FilterSpec> specs) => new(CompiledFilterSet.Compile(specs));

    private (PdForwarder Forwarder, BufferCache Cache, FilterStage Filters) Forwarder(FilterTable table)
    {
        var rx = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 512, _pool), 1)[0];
        var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 512, _pool));
        var cache = _pool.CreateCache(256);
        var filters = new FilterStage(table);
        return (new PdForwarder(rx, tx, cache, [filters, new L2ForwardStage()]), cache, filters);
    }

    private void Pump(PdForwarder forwarder, long frames)
    {
        forwarder.DoWork();
        while (_generator.Sent < frames)
        {
            _generator.Transmit(frames - _generator.Sent);
            forwarder.DoWork();
            _generator.Receive();
        }
        for (var i = 0; i < 10; i++)
        {
            forwarder.DoWork();
            _generator.Receive();
        }
    }

    [Fact]
    public void Busy_time_grows_with_work_and_stands_still_while_idle()
    {
        var (forwarder, cache, _) = Forwarder(FilterTable.Empty);
        while (forwarder.DoWork() > 0)
        {
        }
        var idle = forwarder.BusyTicks;
        for (var i = 0; i < 10_000; i++)
            Assert.Equal(0, forwarder.DoWork());
        Assert.Equal(idle, forwarder.BusyTicks);

        Pump(forwarder, 2000);

        Assert.Equal(2000, forwarder.Forwarded);
        Assert.True(forwarder.BusyTicks > idle, "forwarding 2,000 packets took no busy time");
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
    }

    [Fact]
    public void Forwards_turns_around_and_filters_with_latency_measured()
    {
        var table = Table([Spec("flood", FilterAction.Drop, ("sourceIp", "198.18.128.0/17")), Spec("web", FilterAction.Count, ("destinationPort", "80"))]);
        var (forwarder, cache, _) = Forwarder(table);
        Pump(forwarder, 3000);

        Assert.Equal(3000, forwarder.Received);
        Assert.Equal(1000, table.Hits(0));
        Assert.Equal(1000, table.Hits(1));
        Assert.Equal(1000, forwarder.Dropped);
        Assert.Equal(2000, forwarder.Forwarded);
        Assert.Equal(2000, _generator.Received);
        Assert.Equal(2000, _generator.Latency.Count);
        Assert.True(_generator.Latency.Percentile(50) > 0);

        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    [Fact]
    public void A_new_table_applies_from_the_next_burst_and_a_bad_one_changes_nothing()
    {
        var (forwarder, cache, filters) = Forwarder(Table([Spec("all-udp", FilterAction.Drop, ("protocol", "udp"))]));
        Pump(forwarder, 300);
        Assert.Equal(200, forwarder.Dropped);

        Assert.Throws<FilterSpecException>(() => filters.Publish(Table([Spec("bad", FilterAction.Drop, ("destinationPort", "99999"))])));
        Assert.Equal("all-udp", filters.Table.Specs[0].Id);

        filters.Publish(FilterTable.Empty);
        var before = forwarder.Forwarded;
        Pump(forwarder, 600);
        Assert.Equal(300, forwarder.Forwarded - before);
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    [Fact]
    public void A_new_table_keeps_the_hits_of_filters_it_defines_alike_and_starts_changed_and_new_ones_at_zero()
    {
        var web = Spec("web", FilterAction.Count, ("destinationPort", "80"));
        var first = Table([Spec("flood", FilterAction.Drop, ("sourceIp", "198.18.128.0/17")), Spec("dns", FilterAction.Count, ("destinationPort", "53")), web]);
        var (forwarder, cache, filters) = Forwarder(first);
        Pump(forwarder, 3000);
        Assert.Equal([1000, 1000, 1000], Enumerable.Range(0, 3).Select(first.Hits));

        // web stays as it was (a spec of its own, equal in every field); dns changes its priority; flood goes; late is new.
        var next = CompiledFilterSet.Compile([
            Spec("late", FilterAction.Count, ("destinationPort", "9999")),
            new FilterSpec { Id = "dns", Priority = 1, Match = new() { ["destinationPort"] = "53" } },
            Spec("web", FilterAction.Count, ("destinationPort", "80")),
        ]);
        var second = first.Next(next);
        filters.Publish(second);
        Assert.Same(next, second.Set);
        Assert.Equal([0, 0, 1000], Enumerable.Range(0, 3).Select(second.Hits));

        Pump(forwarder, 6000);
        Assert.Equal([1000, 1000, 2000], Enumerable.Range(0, 3).Select(second.Hits));
        Assert.Equal([1000, 1000, 1000], Enumerable.Range(0, 3).Select(first.Hits));
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
    }

    [Fact]
    public void Steady_state_allocates_nothing()
    {
        var specs = Enumerable.Range(0, 1000).Select(i => Spec($"r{i}", FilterAction.Count, ("sourceIp", $"198.19.{i / 256}.{i % 256}"), ("destinationPort", "80"))).ToList();
        specs.Add(Spec("flood", FilterAction.Drop, ("sourceIp", "198.18.128.0/17")));
        var (forwarder, cache, _) = Forwarder(Table(specs));
        Pump(forwarder, 20_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Pump(forwarder, 220_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(forwarder.Received >= 200_000);
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
    }

    [Fact]
    public void Steady_state_with_the_drain_notification_idle_between_bursts_allocates_nothing()
    {
        var (forwarder, cache, _) = Forwarder(FilterTable.Empty);
        using var signal = new WakeSignal();
        var idle = new DrainNotificationIdleStrategy([forwarder.ReceiveQueue, forwarder.TransmitQueue], signal, AdaptiveSpinPolicy.ForQueues(), TimeSpan.FromMicroseconds(50));
        // Bursts of 32 frames with empty polls between them: the idle strategy spins, arms, sleeps and learns.
        void Run(long frames)
        {
            while (_generator.Sent < frames)
            {
                _generator.Transmit(Math.Min(32, frames - _generator.Sent));
                for (var i = 0; i < 4; i++)
                    idle.Idle(forwarder.DoWork());
                _generator.Receive();
            }
        }
        Run(20_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(120_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(forwarder.Received >= 100_000);
        Assert.True(idle.Waits > 0, "the poller never slept");
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
    }

    [Fact]
    public void Steady_state_allocates_nothing_with_a_capture_armed_and_every_received_frame_is_captured_or_counted_dropped()
    {
        var (forwarder, cache, _) = Forwarder(FilterTable.Empty);
        Pump(forwarder, 20_000);
        forwarder.Capture.Open();
        var ring = new CaptureRing(1024, 128, long.MaxValue);
        Assert.True(forwarder.Capture.TryArm(ring, out _));
        Assert.False(forwarder.Capture.TryArm(new CaptureRing(4, 64, 1), out var refusal));
        Assert.Contains("only one at a time", refusal);
        var received = forwarder.Received;
        var into = new byte[128];
        var taken = 0;

        var before = GC.GetAllocatedBytesForCurrentThread();
        // The ring fills (frames dropped from the capture and counted), a reader takes half, it fills again.
        Pump(forwarder, 120_000);
        for (var i = 0; i < 512; i++)
            taken += ring.TryTake(into, out _, out _) >= 0 ? 1 : 0;
        Pump(forwarder, 220_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(512, taken);
        Assert.Equal(forwarder.Received - received, ring.Accepted + ring.Dropped);
        Assert.Equal(1024 + 512, ring.Accepted);
        // What the ring holds is what the queue received: frames of the generator's flows, cut to the snap length.
        while (ring.TryTake(into, out var time, out var original) is var length and >= 0)
        {
            Assert.Equal(Math.Min(original, 128), length);
            PacketInfo info = default;
            PacketParser.Parse(into.AsSpan(0, length), ref info);
            Assert.Equal(PacketParser.MapIpv4(0xC6_12_01_01), info.Key.Get(MatchField.DestinationIp));
            Assert.InRange(new DateTime(DateTime.UnixEpoch.Ticks + time), DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow);
        }

        forwarder.Capture.Disarm(ring);
        var afterDisarm = ring.Accepted + ring.Dropped;
        Pump(forwarder, 230_000);
        Assert.Equal(afterDisarm, ring.Accepted + ring.Dropped);
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
    }

    [Fact]
    public void Forwarding_on_its_own_thread_with_drain_notification_idles_and_wakes()
    {
        var (forwarder, cache, _) = Forwarder(FilterTable.Empty);
        using var signal = new WakeSignal();
        var idle = new DrainNotificationIdleStrategy([forwarder.ReceiveQueue, forwarder.TransmitQueue], signal, AdaptiveSpinPolicy.ForQueues(), TimeSpan.FromSeconds(1));
        Exception? fault = null;
        var runner = new DutyCycleRunner(forwarder, idle, e => fault = e);
        runner.Start();
        // Frames that meet an RX ring with nothing posted are dropped, as on real hardware: wait until it is primed.
        var primed = DateTime.UtcNow.AddSeconds(10);
        while (forwarder.ReceiveQueue.Outstanding < forwarder.ReceiveQueue.Capacity && DateTime.UtcNow < primed)
            Thread.Sleep(1);
        for (var round = 0; round < 3; round++)
        {
            var target = _generator.Sent + 100;
            while (_generator.Sent < target)
                _generator.Transmit(target - _generator.Sent);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (_generator.Received < target && DateTime.UtcNow < deadline)
                _generator.Receive();
            Thread.Sleep(20);
        }
        runner.Close();
        Assert.Null(fault);
        Assert.Equal(300, _generator.Received);
        Assert.True(idle.Waits >= 2, $"expected the poller to sleep between rounds, slept {idle.Waits} times");
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }
}
