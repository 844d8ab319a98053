using PdCluster.Nic.Adapters;
using PdCluster.Nic.Counters;
using PdCluster.Nic.SoftNic;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Nic;

public sealed class SoftNicTests : IDisposable
{
    private readonly BufferPool _pool = new(4096, checkedMode: true);
    private readonly SoftNic _dut = new(AdapterInfo.ConnectX3Pro("dut", 0x02_00_00_00_00_02));
    private readonly SoftNic _peer = new(AdapterInfo.ConnectX3Pro("peer", 0x02_00_00_00_00_01));
    private readonly SoftNicQueue _peerTx;
    private readonly Wire _wire;

    public SoftNicTests()
    {
        _wire = Wire.Connect(_peer, _dut);
        _peerTx = _peer.AllocateQueue(new QueueOptions(QueueKind.Transmit, 1024, _pool));
    }

    public void Dispose() => _pool.Dispose();

    private static byte[] Udp(string source, ushort port) =>
        new FrameBuilder().Ethernet(0x02_00_00_00_00_02, 0x02_00_00_00_00_01).Ipv4(source, "198.18.1.1").Udp(1000, port).Build();

    /// <summary>Sends frames from the peer; returns the TX buffers to the pool.</summary>
    private void Send(byte[] frame, int count = 1)
    {
        var handles = new int[count];
        Assert.Equal(count, _pool.TryAllocate(handles));
        foreach (var h in handles)
            _pool.SetPacket(h, frame);
        var drained = new int[count];
        var r = _peerTx.PostAndDrain(handles, drained);
        Assert.Equal(count, r.Posted);
        Assert.Equal(count, r.Drained);
        _pool.Return(drained);
    }

    private SoftNicQueue Rx(int slots = 64)
    {
        var q = _dut.AllocateQueue(new QueueOptions(QueueKind.Receive, slots, _pool));
        var buffers = new int[slots - 1];
        _pool.TryAllocate(buffers);
        Assert.Equal(slots - 1, q.PostAndDrain(buffers, []).Posted);
        return q;
    }

    private int[] Drain(SoftNicQueue q)
    {
        var drained = new int[q.Capacity];
        var n = q.PostAndDrain([], drained).Drained;
        return drained[..n];
    }

    [Fact]
    public void Toeplitz_matches_the_rss_verification_vectors()
    {
        // Microsoft's RSS verification suite: 66.9.149.187:2794 -> 161.142.100.80:1766.
        var frame = new FrameBuilder().Ethernet(1, 2).Ipv4("66.9.149.187", "161.142.100.80").Tcp(2794, 1766).Build();
        var info = new PacketInfo();
        PacketParser.Parse(frame, ref info);
        Assert.Equal(0x51ccc178u, ToeplitzHash.Standard.Hash(in info));
        var ipOnly = new FrameBuilder().Ethernet(1, 2).Ipv4("66.9.149.187", "161.142.100.80").Icmp(8, 0).Build();
        PacketParser.Parse(ipOnly, ref info);
        Assert.Equal(0x323e8fc2u, ToeplitzHash.Standard.Hash(in info));
    }

    [Fact]
    public void Filter_steers_to_its_queue_with_context_before_rss()
    {
        var filtered = Rx();
        var rss = Rx();
        _dut.SetRssQueues([rss]);
        var counters = new FilterCounters();
        _dut.SetFilter(new ClassifierRule(0, [FieldMatchSyntax.Parse(MatchField.DestinationPort, "80")]), filtered, 0xABCD, counters);

        Send(Udp("198.18.0.1", 80), 3);
        Send(Udp("198.18.0.1", 81), 2);

        var got = Drain(filtered);
        Assert.Equal(3, got.Length);
        Assert.All(got, h => Assert.Equal(0xABCDUL, _pool.Descriptor(h).RxFilterContext));
        Assert.All(got, h => Assert.Equal(BufferFlags.FilterMatched, _pool.Descriptor(h).Flags));
        Assert.True(_pool.Descriptor(got[0]).DataStart >= 32);
        Assert.Equal(Udp("198.18.0.1", 80), _pool.Packet(got[0]).ToArray());
        Assert.Equal(2, Drain(rss).Length);
        Assert.Equal(3, counters.PacketsMatched);
        Assert.Equal(0, _dut.OsPathPackets);
    }

    private static SoftNicFilter PortFilter(SoftNicQueue target, int port) =>
        new(new ClassifierRule(10, [FieldMatchSyntax.Parse(MatchField.DestinationPort, port.ToString(System.Globalization.CultureInfo.InvariantCulture))]), target, (ulong)port, new FilterCounters());

    [Fact]
    public void A_batch_of_fifty_thousand_filters_compiles_the_table_once_and_each_one_steers()
    {
        var even = Rx();
        var odd = Rx();
        var batch = Enumerable.Range(1, 50_000).Select(port => PortFilter(port % 2 == 0 ? even : odd, port)).ToList();

        var ids = _dut.UpdateFilters([], batch);

        Assert.Equal(1, _dut.FilterTableCompilations);
        Assert.Equal(50_000, _dut.FilterCount);
        Assert.Equal(50_000, ids.Distinct().Count());
        Send(Udp("198.18.0.1", 49_998));
        Send(Udp("198.18.0.1", 7));
        var got = Assert.Single(Drain(even));
        Assert.Equal(49_998UL, _pool.Descriptor(got).RxFilterContext);
        Assert.Equal(7UL, _pool.Descriptor(Assert.Single(Drain(odd))).RxFilterContext);
        Assert.Equal(1, batch[49_997].Counters.PacketsMatched);

        _dut.UpdateFilters(ids[..25_000], []);

        Assert.Equal(2, _dut.FilterTableCompilations);
        Assert.Equal(25_000, _dut.FilterCount);
        Send(Udp("198.18.0.1", 7));
        Assert.Empty(Drain(odd));
        Assert.Equal(1, _dut.OsPathPackets);
    }

    [Fact]
    public void A_batch_with_a_malformed_filter_changes_nothing()
    {
        var q = Rx();
        var kept = _dut.UpdateFilters([], [PortFilter(q, 80)]);
        var twice = new SoftNicFilter(new ClassifierRule(10,
            [FieldMatchSyntax.Parse(MatchField.DestinationPort, "53"), FieldMatchSyntax.Parse(MatchField.DestinationPort, "54")]), q, 0, new FilterCounters());

        var refused = Assert.Throws<FilterSpecException>(() => _dut.UpdateFilters(kept, [PortFilter(q, 81), twice]));

        Assert.Contains("matched twice", refused.Message);
        Assert.Equal(1, _dut.FilterTableCompilations);
        Assert.Equal(1, _dut.FilterCount);
        Send(Udp("198.18.0.1", 80));
        Assert.Equal(80UL, _pool.Descriptor(Assert.Single(Drain(q))).RxFilterContext);
    }

    [Fact]
    public void Unmatched_traffic_goes_to_the_os_path_when_pd_has_no_rss()
    {
        var q = Rx();
        _dut.SetFilter(new ClassifierRule(0, [FieldMatchSyntax.Parse(MatchField.DestinationPort, "80")]), q, 1, new FilterCounters());
        var seen = new List<uint>();
        _dut.OsPath = (frame, hash) => seen.Add(hash);
        Send(Udp("198.18.0.1", 53), 4);
        Assert.Empty(Drain(q));
        Assert.Equal(4, _dut.OsPathPackets);
        Assert.Equal(4, seen.Count);
        Assert.NotEqual(0u, seen[0]);
    }

    [Fact]
    public void Rss_spreads_flows_over_queues_and_keeps_each_flow_on_one()
    {
        var queues = Enumerable.Range(0, 4).Select(_ => Rx(256)).ToArray();
        _dut.SetRssQueues(queues);
        for (var i = 0; i < 200; i++)
            Send(Udp($"198.18.0.{i}", 80), 1);
        var counts = queues.Select(q => Drain(q).Length).ToArray();
        Assert.Equal(200, counts.Sum());
        Assert.All(counts, c => Assert.InRange(c, 20, 90));

        Send(Udp("198.18.0.7", 80), 5);
        Assert.Single(queues, q => Drain(q).Length == 5);
    }

    [Fact]
    public void Receive_hashing_reports_the_rss_hash_and_can_be_turned_off()
    {
        var q = Rx();
        _dut.SetRssQueues([q]);
        Send(Udp("198.18.0.1", 80));
        var hashed = Drain(q);
        Assert.Equal(BufferFlags.HashValid, _pool.Descriptor(hashed[0]).Flags);
        Assert.NotEqual(0u, _pool.Descriptor(hashed[0]).RxHashValue);
        _pool.Return(hashed);

        _dut.ReceiveHashing = false;
        Send(Udp("198.18.0.1", 80));
        var plain = Drain(q);
        Assert.Equal(BufferFlags.None, _pool.Descriptor(plain[0]).Flags);
        Assert.Equal(0u, _pool.Descriptor(plain[0]).RxHashValue);
        _pool.Return(plain);
    }

    [Fact]
    public void Burst_path_counts_drops_when_the_ring_runs_dry()
    {
        _dut.ReceiveHashing = false;
        var q = Rx(8);
        _dut.SetRssQueues([q]);
        Send(Udp("198.18.0.1", 1), 10);
        Assert.Equal(7, q.ReceiveCounters.PacketsReceived);
        Assert.Equal(3, q.ReceiveCounters.PacketsDropped);
        Assert.Equal(3, _dut.NoBufferDrops);
        var got = Drain(q);
        Assert.Equal(7, got.Length);
        Assert.Equal(Udp("198.18.0.1", 1), _pool.Packet(got[0]).ToArray());
        _pool.Return(got);
    }

    [Fact]
    public void No_posted_buffer_means_a_counted_drop()
    {
        var q = Rx(8);
        _dut.SetRssQueues([q]);
        Send(Udp("198.18.0.1", 1), 10);
        Assert.Equal(7, q.ReceiveCounters.PacketsReceived);
        Assert.Equal(3, q.ReceiveCounters.PacketsDropped);
        Assert.Equal(7, Drain(q).Length);
    }

    [Fact]
    public void Link_down_and_low_power_stop_traffic_and_events_reach_subscribers()
    {
        var q = Rx();
        _dut.SetRssQueues([q]);
        var events = new List<DeviceEvent>();
        using var subscription = _dut.Subscribe(events.Add);
        _dut.Inject(DeviceEvent.LinkDown);
        Send(Udp("198.18.0.1", 1), 2);
        _dut.Inject(DeviceEvent.LinkUp);
        _dut.Inject(DeviceEvent.LowPower);
        Send(Udp("198.18.0.1", 1), 3);
        _dut.Inject(DeviceEvent.FullPower);
        Send(Udp("198.18.0.1", 1), 1);
        Assert.Equal(5, _dut.NotReadyDrops);
        Assert.Single(Drain(q));
        Assert.Equal([DeviceEvent.LinkDown, DeviceEvent.LinkUp, DeviceEvent.LowPower, DeviceEvent.FullPower], events);
    }

    [Fact]
    public void Surprise_removal_hands_back_every_posted_buffer_flushed()
    {
        var q = Rx(64);
        _dut.SetRssQueues([q]);
        Send(Udp("198.18.0.1", 1), 5);
        _dut.Inject(DeviceEvent.SurpriseRemoval);
        Assert.True(q.IsFailed);
        var back = Drain(q);
        Assert.Equal(63, back.Length);
        Assert.Equal(58, back.Count(h => _pool.Descriptor(h).Flags == BufferFlags.Flushed));
        var more = new int[4];
        _pool.TryAllocate(more);
        var r = q.PostAndDrain(more, []);
        Assert.Equal(0, r.Posted);
        Assert.True(r.Failed);
        _pool.Return(more);
        _pool.Return(back);
        Assert.Equal(0, _dut.FilterCount);
        Assert.Throws<InvalidOperationException>(() => _dut.AllocateQueue(new QueueOptions(QueueKind.Receive, 8, _pool)));
        _dut.Inject(DeviceEvent.Arrival);
        Assert.True(_dut.IsOperational);
        _dut.FreeQueue(_dut.AllocateQueue(new QueueOptions(QueueKind.Receive, 8, _pool)));
    }

    [Fact]
    public void Queue_limits_are_the_adapters()
    {
        var queues = Enumerable.Range(0, 16).Select(_ => _dut.AllocateQueue(new QueueOptions(QueueKind.Receive, 8, _pool))).ToList();
        Assert.Throws<InvalidOperationException>(() => _dut.AllocateQueue(new QueueOptions(QueueKind.Receive, 8, _pool)));
        _dut.FreeQueue(queues[3]);
        _dut.AllocateQueue(new QueueOptions(QueueKind.Receive, 8, _pool));
        Assert.Throws<ArgumentOutOfRangeException>(() => _dut.AllocateQueue(new QueueOptions(QueueKind.Transmit, 16384, _pool)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _dut.AllocateQueue(new QueueOptions(QueueKind.Transmit, 100, _pool)));
    }

    [Fact]
    public void Faulty_wire_loses_corrupts_and_reorders_as_configured()
    {
        var a = new SoftNic(AdapterInfo.ConnectX3Pro("a", 1));
        var b = new SoftNic(AdapterInfo.ConnectX3Pro("b", 2));
        var wire = Wire.Connect(a, b, new WireFaults(LossRate: 0.1, CorruptionRate: 0.1, ReorderRate: 0.1, Seed: 3));
        var rx = b.AllocateQueue(new QueueOptions(QueueKind.Receive, 2048, _pool));
        var post = new int[2047];
        _pool.TryAllocate(post);
        rx.PostAndDrain(post, []);
        b.SetRssQueues([rx]);
        var tx = a.AllocateQueue(new QueueOptions(QueueKind.Transmit, 1024, _pool));
        var sent = 0;
        var one = new int[1];
        var done = new int[1];
        for (var i = 0; i < 1000; i++)
        {
            _pool.TryAllocate(one);
            var frame = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp((ushort)i, 9).Build();
            _pool.SetPacket(one[0], frame);
            tx.PostAndDrain(one, done);
            _pool.Return(done[0]);
            sent++;
        }
        var got = new int[2047];
        var n = rx.PostAndDrain([], got).Drained;
        Assert.InRange(wire.Lost, 60, 140);
        Assert.InRange(wire.Corrupted, 50, 150);
        Assert.InRange(wire.Reordered, 50, 150);
        Assert.Equal(sent - wire.Lost - (wire.Reordered > 0 && n < sent - wire.Lost ? 1 : 0), n);
        var ports = got[..n].Select(h => { var i = new PacketInfo(); PacketParser.Parse(_pool.Packet(h), ref i); return (int)(ulong)i.Key.Get(MatchField.SourcePort); }).ToList();
        Assert.Contains(ports.Zip(ports.Skip(1)), p => p.Second < p.First);
        _pool.Return(got.AsSpan(0, n));
        rx.Flush();
        var rest = new int[2047];
        _pool.Return(rest.AsSpan(0, rx.PostAndDrain([], rest).Drained));
    }
}
