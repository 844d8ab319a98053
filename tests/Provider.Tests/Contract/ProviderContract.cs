using System.Diagnostics;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Concurrency;
using PdCluster.Queues.Packets;
using PdCluster.TestKit;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>
/// The PDPI contract every provider passes unchanged: ring capacity, PostAndDrain forms, filters before RSS,
/// clear and flush semantics, FreeQueue refusals, drain notification, surprise removal, counters, pool accounting.
/// Derive once per provider and supply its harness.
/// </summary>
public abstract class ProviderContract : HarnessedProviderTests
{
    private readonly List<IPdQueue> _queues = [];

    private static byte[] Frame(ushort destinationPort, string source = "198.18.0.1", byte protocol = 17)
    {
        var b = new FrameBuilder().Ethernet(0x02_00_00_00_00_02, 0x02_00_00_00_00_01).Ipv4(source, "198.18.1.1");
        return (protocol == 6 ? b.Tcp(40000, destinationPort) : b.Udp(40000, destinationPort)).Build();
    }

    private IPdQueue Allocate(PdQueueType type, int size = 64)
    {
        var q = Provider.AllocateQueue(new PdQueueParameters(type, size, Pool));
        _queues.Add(q);
        return q;
    }

    private IPdQueue PostedRx(int size = 64)
    {
        var q = Allocate(PdQueueType.Receive, size);
        Post(q, size - 1);
        return q;
    }

    private int Post(IPdQueue q, int count)
    {
        var buffers = new int[count];
        Assert.Equal(count, Pool.TryAllocate(buffers));
        var posted = q.PostAndDrain(buffers, []).Posted;
        Pool.Return(buffers.AsSpan(posted));
        return posted;
    }

    /// <summary>Drains until <paramref name="expected"/> buffers came back (or the settle time passed), returning them to the pool.</summary>
    private List<int> Drain(IPdQueue q, int expected, bool keep = false)
    {
        var got = new List<int>();
        var into = new int[q.Capacity];
        var deadline = Stopwatch.GetTimestamp() + (long)(Harness.Settle.TotalSeconds * Stopwatch.Frequency);
        do
        {
            var r = q.PostAndDrain([], into);
            got.AddRange(into.AsSpan(0, r.Drained).ToArray());
            if (got.Count >= expected)
                break;
            if (r.Drained == 0)
                Thread.Yield();
        }
        while (Stopwatch.GetTimestamp() < deadline);
        if (!keep)
            Pool.Return(got.ToArray());
        return got;
    }

    /// <summary>Waits out the settle time and checks that nothing (more) arrives.</summary>
    private void AssertNothingArrives(IPdQueue q)
    {
        if (Harness.Settle > TimeSpan.Zero)
            Thread.Sleep(Harness.Settle);
        Assert.Empty(Drain(q, 0));
    }

    private void Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Harness.Settle + TimeSpan.FromMilliseconds(50);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            Thread.Sleep(1);
        }
    }

    /// <summary>Flushes, drains and frees every queue the test allocated, then checks every buffer is home.</summary>
    private void Finish()
    {
        foreach (var q in _queues)
        {
            q.FlushQueue();
            Drain(q, q.Outstanding);
            Assert.Equal(0, q.Outstanding);
        }
        Assert.Equal(Pool.Capacity, Pool.FreeCount);
    }

    private ReceiveFilterParameters Filter(IPdQueue target, string port, int priority = 0, ulong context = 0) =>
        new([FieldMatchSyntax.Parse(MatchField.DestinationPort, port)], target, priority, context);

    [ContractFact]
    public void A_queue_of_N_slots_holds_N_minus_1()
    {
        var q = Allocate(PdQueueType.Receive, 16);
        Assert.Equal(15, q.Capacity);
        Assert.Equal(15, Post(q, 20));
        Assert.Equal(0, Post(q, 1));
        Assert.Equal(15, q.QueryQueueDepth());
        Finish();
    }

    [ContractFact]
    public void Post_only_drain_only_and_the_no_op()
    {
        var q = Allocate(PdQueueType.Receive, 16);
        var noop = q.PostAndDrain([], []);
        Assert.Equal((0, 0), (noop.Posted, noop.Drained));
        Assert.Equal(4, Post(q, 4));
        var filter = Provider.SetReceiveFilter(Filter(q, "7"));
        Harness.Offer(Frame(7), 2);
        var drained = Drain(q, 2);
        Assert.Equal(2, drained.Count);
        Provider.ClearReceiveFilter(filter);
        Finish();
    }

    [ContractFact]
    public void Max_drain_is_honoured()
    {
        var q = PostedRx(32);
        var filter = Provider.SetReceiveFilter(Filter(q, "9"));
        Harness.Offer(Frame(9), 10);
        Eventually(() => q.HasCompletions && q.ReceiveCounters.PacketsReceived == 10, "10 frames");
        var into = new int[4];
        var r = q.PostAndDrain([], into);
        Assert.Equal(4, r.Drained);
        Pool.Return(into);
        Assert.Equal(6, Drain(q, 6).Count);
        Provider.ClearReceiveFilter(filter);
        Finish();
    }

    [ContractFact]
    public void Filters_act_before_rss()
    {
        var filtered = PostedRx();
        var rss = Provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 64, Pool), 1)[0];
        _queues.Add(rss);
        Post(rss, 63);
        var filter = Provider.SetReceiveFilter(Filter(filtered, "80", context: 0x5EED));
        Harness.Offer(Frame(80), 5);
        Harness.Offer(Frame(443), 3);
        var matched = Drain(filtered, 5, keep: true);
        Assert.Equal(5, matched.Count);
        Assert.All(matched, h => Assert.Equal(0x5EEDUL, Pool.Descriptor(h).RxFilterContext));
        Pool.Return(matched.ToArray());
        Assert.Equal(3, Drain(rss, 3).Count);
        Assert.Equal(5, filter.Counters.PacketsMatched);
        Provider.ClearReceiveFilter(filter);
        Finish();
        Provider.ReleaseReceiveQueues();
    }

    [ContractFact]
    public void Unmatched_traffic_never_reaches_a_pd_queue()
    {
        var q = PostedRx();
        var filter = Provider.SetReceiveFilter(Filter(q, "80"));
        var before = Harness.OsPathPackets;
        Harness.Offer(Frame(81), 4);
        AssertNothingArrives(q);
        Eventually(() => Harness.OsPathPackets - before == 4, "4 frames on the OS path");
        Provider.ClearReceiveFilter(filter);
        Finish();
    }

    [ContractFact]
    public void Overlapping_filters_apply_in_priority_order()
    {
        var low = PostedRx();
        var high = PostedRx();
        var broad = Provider.SetReceiveFilter(Filter(low, "1-1000", priority: 10));
        var narrow = Provider.SetReceiveFilter(Filter(high, "53", priority: 1));
        Harness.Offer(Frame(53), 2);
        Harness.Offer(Frame(54), 3);
        Assert.Equal(2, Drain(high, 2).Count);
        Assert.Equal(3, Drain(low, 3).Count);
        Provider.ClearReceiveFilter(broad);
        Provider.ClearReceiveFilter(narrow);
        Finish();
    }

    [ContractFact]
    public void A_batch_clears_and_sets_filters_in_one_call()
    {
        var first = PostedRx();
        var second = PostedRx();
        var old = Provider.UpdateReceiveFilters([], [Filter(first, "80", context: 80), Filter(first, "53", context: 53)]);
        Assert.Equal([80UL, 53UL], old.Select(f => f.Parameters.RxFilterContext));

        var added = Provider.UpdateReceiveFilters([old[0]], [Filter(second, "443", context: 443), Filter(second, "80", context: 8080)]);

        Assert.Equal([443UL, 8080UL], added.Select(f => f.Parameters.RxFilterContext));
        Harness.Offer(Frame(80), 2);
        Harness.Offer(Frame(53), 3);
        Harness.Offer(Frame(443), 4);
        var matched = Drain(second, 6, keep: true);
        Assert.Equal(6, matched.Count);
        Assert.Equal(2, matched.Count(h => Pool.Descriptor(h).RxFilterContext == 8080));
        Pool.Return(matched.ToArray());
        Assert.Equal(3, Drain(first, 3).Count);
        Assert.Equal(0, old[0].Counters.PacketsMatched);
        Provider.UpdateReceiveFilters([old[1], .. added], []);
        Finish();
    }

    [ContractFact]
    public void A_batch_with_a_refused_filter_changes_nothing_and_names_its_index()
    {
        var rx = PostedRx();
        var tx = Allocate(PdQueueType.Transmit);
        var kept = Provider.SetReceiveFilter(Filter(rx, "80"));

        var refused = Assert.Throws<PdReceiveFilterRefusedException>(() =>
            Provider.UpdateReceiveFilters([kept], [Filter(rx, "53"), Filter(tx, "54")]));

        Assert.Equal(1, refused.Index);
        Assert.Equal(PdStatus.InvalidParameter, refused.Status);
        Harness.Offer(Frame(80), 2);
        Assert.Equal(2, Drain(rx, 2).Count);
        var before = Harness.OsPathPackets;
        Harness.Offer(Frame(53), 1);
        AssertNothingArrives(rx);
        Eventually(() => Harness.OsPathPackets - before == 1, "the unset filter's traffic on the OS path");
        Provider.ClearReceiveFilter(kept);
        Finish();
    }

    [ContractFact]
    public void After_clear_no_new_packet_matches()
    {
        var q = PostedRx();
        var filter = Provider.SetReceiveFilter(Filter(q, "80"));
        Harness.Offer(Frame(80), 2);
        Assert.Equal(2, Drain(q, 2).Count);
        Provider.ClearReceiveFilter(filter);
        var before = Harness.OsPathPackets;
        Harness.Offer(Frame(80), 3);
        AssertNothingArrives(q);
        Eventually(() => Harness.OsPathPackets - before == 3, "cleared-filter traffic on the OS path");
        Assert.Throws<PdException>(() => Provider.ClearReceiveFilter(filter));
        Finish();
    }

    [ContractFact]
    public void Flush_completes_everything_and_takes_no_more_posts()
    {
        var q = PostedRx(32);
        q.FlushQueue();
        var back = Drain(q, 31, keep: true);
        Assert.Equal(31, back.Count);
        Assert.All(back, h => Assert.True((Pool.Descriptor(h).Flags & BufferFlags.Flushed) != 0));
        Pool.Return(back.ToArray());
        var one = new int[1];
        Pool.TryAllocate(one);
        var r = q.PostAndDrain(one, []);
        Assert.Equal(0, r.Posted);
        Assert.True(r.Failed);
        Pool.Return(one);
        Finish();
    }

    [ContractFact]
    public void Free_queue_refuses_a_non_empty_queue_or_a_filter_target()
    {
        var q = PostedRx(16);
        Assert.Equal(PdStatus.Busy, Assert.Throws<PdException>(() => Provider.FreeQueue(q)).Status);
        q.FlushQueue();
        Drain(q, 15);
        var filter = Provider.SetReceiveFilter(Filter(q, "80"));
        Assert.Equal(PdStatus.Busy, Assert.Throws<PdException>(() => Provider.FreeQueue(q)).Status);
        Provider.ClearReceiveFilter(filter);
        Provider.FreeQueue(q);
        _queues.Remove(q);
        Finish();
    }

    [ContractFact]
    public void Notification_fires_after_arm_and_a_completion_never_before_arm()
    {
        var q = PostedRx();
        var filter = Provider.SetReceiveFilter(Filter(q, "80"));
        using var signal = new WakeSignal();
        Harness.Offer(Frame(80));
        Eventually(() => q.HasCompletions, "a completion");
        Assert.False(signal.IsSet);
        Drain(q, 1);

        q.RequestDrainNotification(signal);
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(20)));
        Harness.Offer(Frame(80));
        Assert.True(signal.Wait(Harness.Settle + TimeSpan.FromSeconds(1)));
        Assert.True(q.HasCompletions);
        Drain(q, 1);

        Harness.Offer(Frame(80));
        Eventually(() => q.HasCompletions, "a completion");
        Assert.False(signal.IsSet, "a notification fires once per arm");
        Drain(q, 1);
        Provider.ClearReceiveFilter(filter);
        Finish();
    }

    [ContractFact]
    public void Surprise_removal_returns_every_posted_buffer()
    {
        var rx = PostedRx(64);
        var tx = Allocate(PdQueueType.Transmit, 64);
        Provider.SetReceiveFilter(Filter(rx, "80"));
        Harness.Offer(Frame(80), 10);
        Eventually(() => rx.ReceiveCounters.PacketsReceived == 10, "10 frames");
        Harness.SurpriseRemove();
        var back = Drain(rx, 63);
        Assert.Equal(63, back.Count);
        Assert.True(rx.IsStopped);
        Assert.True(tx.IsStopped);
        Assert.Equal(PdStatus.DeviceRemoved, Assert.Throws<PdException>(() => Provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 8, Pool))).Status);
        Finish();
    }

    [ContractFact]
    public void Counters_add_up_received_plus_dropped_equals_offered()
    {
        var q = Allocate(PdQueueType.Receive, 64);
        Post(q, 20);
        var filter = Provider.SetReceiveFilter(Filter(q, "80"));
        Harness.Offer(Frame(80), 50);
        Eventually(() => q.ReceiveCounters.PacketsReceived + q.ReceiveCounters.PacketsDropped == 50, "50 frames counted");
        Assert.Equal(20, q.ReceiveCounters.PacketsReceived);
        Assert.Equal(30, q.ReceiveCounters.PacketsDropped);
        Assert.Equal(50, filter.Counters.PacketsMatched);
        Assert.Equal(20 * Frame(80).Length, q.ReceiveCounters.BytesReceived);
        Assert.Equal(20, Drain(q, 20).Count);
        Provider.ClearReceiveFilter(filter);
        Finish();
    }

    [ContractFact]
    public void Transmit_puts_frames_on_the_wire_and_completes_them()
    {
        var tx = Allocate(PdQueueType.Transmit, 64);
        var frame = Frame(5);
        var buffers = new int[10];
        Pool.TryAllocate(buffers);
        foreach (var h in buffers)
            Pool.SetPacket(h, frame);
        var before = Harness.TransmittedSeen;
        Assert.Equal(10, tx.PostAndDrain(buffers, []).Posted);
        Assert.Equal(10, Drain(tx, 10).Count);
        Eventually(() => Harness.TransmittedSeen - before == 10, "10 frames at the peer");
        Assert.Equal(10, tx.TransmitCounters.PacketsTransmitted);
        Finish();
    }

    [ContractFact]
    public void Capabilities_are_advertised()
    {
        var c = Provider.Capabilities;
        Assert.True(c.MaxReceiveQueues >= 1);
        Assert.True(c.MaxQueueSize >= 64);
        Assert.True(c.DrainNotification);
        Assert.Contains(FieldMatchType.InRange, c.SupportedMatchTypes);
    }

    [ContractFact]
    public void Queue_parameters_beyond_the_capabilities_are_refused_as_not_supported()
    {
        var c = Provider.Capabilities;
        var moderated = new PdQueueParameters(PdQueueType.Receive, 64, Pool, ModerationInterval: TimeSpan.FromMilliseconds(1));
        if (c.ModerationInterval)
            _queues.Add(Provider.AllocateQueue(moderated));
        else
            Assert.Equal(PdStatus.NotSupported, Assert.Throws<PdException>(() => Provider.AllocateQueue(moderated)).Status);
        var partial = new PdQueueParameters(PdQueueType.Receive, 64, Pool, MaximumPartialBufferCount: c.MaxPartialBufferCount + 1);
        Assert.Equal(PdStatus.NotSupported, Assert.Throws<PdException>(() => Provider.AllocateQueue(partial)).Status);
        Finish();
    }

    [ContractFact]
    public void Reinjected_packets_reach_the_os_path_and_their_buffers_stay_the_clients()
    {
        var q = PostedRx();
        var filter = Provider.SetReceiveFilter(Filter(q, "80"));
        var offered = Harness.OsPathPackets;
        Harness.Offer(Frame(80), 3);
        var received = Drain(q, 3, keep: true);
        Assert.Equal(3, received.Count);
        var before = Harness.OsPathPackets;
        Provider.OsPath.Reinject(Pool, received.ToArray());
        if (Provider.Capabilities.OsReceivesEveryFrame)
        {
            // A copy path: the OS took the frames in when they arrived, and reinjecting them must not deliver them twice.
            Eventually(() => Harness.OsPathPackets - offered == 3, "the 3 frames on the OS path as they arrived");
            if (Harness.Settle > TimeSpan.Zero)
                Thread.Sleep(Harness.Settle);
            Assert.Equal(3, Harness.OsPathPackets - offered);
        }
        else
        {
            Eventually(() => Harness.OsPathPackets - before == 3, "3 reinjected frames on the OS path");
        }
        Assert.All(received, h => Assert.Equal(Frame(80).Length, Pool.Descriptor(h).DataLength));
        Pool.Return(received.ToArray());
        Provider.ClearReceiveFilter(filter);
        Finish();
    }
}
