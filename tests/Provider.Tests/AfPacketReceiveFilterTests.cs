using System.Net.Sockets;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// Receive filters of AF_PACKET on a real veth: the socket filter lets through what may be a queue's own, the
/// classifier decides the rest after the copy, the kernel stack still receives every frame, a VLAN tag comes back
/// into the buffer, acquired queues share the rest through PACKET_FANOUT, and steady state allocates nothing.
/// </summary>
public sealed class AfPacketReceiveFilterTests : IDisposable
{
    private const ushort SteeredPort = 7000;
    private const ushort PassedPort = 7001;
    private readonly VethPair _veth;
    private readonly PacketSender _sender;
    private readonly BufferPool _pool = new(512);
    private readonly AfPacketProvider _provider;
    private readonly Socket _steered;
    private readonly Socket _passed;

    public AfPacketReceiveFilterTests()
    {
        HostPrerequisite.Require();
        _veth = new VethPair();
        _sender = new PacketSender(_veth.Peer, _veth.PeerInterface);
        _provider = new AfPacketProvider(AfXdpProviderContractTests.VethHarness.Adapter(_veth.DeviceInterface), new AfPacketAdapterOptions(_veth.DeviceInterface), _veth.Device);
        _steered = _veth.Device.Run(() => KernelUdp.Open(SteeredPort));
        _passed = _veth.Device.Run(() => KernelUdp.Open(PassedPort));
    }

    [VethFact]
    public void A_filter_set_at_run_time_gives_its_queue_a_copy_of_its_matches_while_the_kernel_receives_every_frame_until_it_is_cleared()
    {
        var queue = Posted();
        var filter = _provider.SetReceiveFilter(new ReceiveFilterParameters([Port(SteeredPort)], queue, 0, 0x70));
        Send(SteeredPort, 5);
        Send(PassedPort, 3);
        Assert.Equal(5, KernelUdp.Receive(_steered, 5));
        Assert.Equal(3, KernelUdp.Receive(_passed, 3));
        var drained = DrainUntil(queue, 5, keep: true);
        Assert.Equal(5, drained.Count);
        Assert.All(drained, h => Assert.Equal((BufferFlags.FilterMatched, 0x70UL), (_pool.Descriptor(h).Flags, _pool.Descriptor(h).RxFilterContext)));
        _pool.Return(drained.ToArray());
        Assert.Equal(0, queue.SetAside);
        Assert.Equal(5, filter.Counters.PacketsMatched);

        _provider.ClearReceiveFilter(filter);
        Send(SteeredPort, 4);
        Assert.Equal(4, KernelUdp.Receive(_steered, 4));
        Assert.Empty(DrainUntil(queue, 0));

        queue.FlushQueue();
        Assert.Equal(58, DrainUntil(queue, 58).Count);
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    [VethFact]
    public void A_condition_the_kernel_cannot_evaluate_is_decided_by_the_classifier_after_the_copy()
    {
        var queue = Posted();
        var filter = _provider.SetReceiveFilter(new ReceiveFilterParameters([Port(SteeredPort), FieldMatch.Equal(MatchField.TtlIsOne, 1)], queue, 0, 1));
        Send(SteeredPort, 4);
        Assert.Equal(4, KernelUdp.Receive(_steered, 4));
        // The queue's ring is in order: once frames sent later are drained, the earlier ones have been decided.
        Send(SteeredPort, 3, ttl: 1);
        Assert.Equal(3, DrainUntil(queue, 3).Count);
        Assert.Equal(4, queue.SetAside);
        Send(PassedPort, 5);
        Assert.Equal(5, KernelUdp.Receive(_passed, 5));
        Send(SteeredPort, 1, ttl: 1);
        Assert.Single(DrainUntil(queue, 1));
        Assert.Equal(4, queue.SetAside);
        Assert.Equal(4, filter.Counters.PacketsMatched);
        _provider.ClearReceiveFilter(filter);
        queue.FlushQueue();
        Assert.Equal(59, DrainUntil(queue, 59).Count);
    }

    [VethFact]
    public void A_vlan_tagged_frame_arrives_whole_with_its_tag_and_matches_a_vlan_filter()
    {
        var queue = Posted();
        var filter = _provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatch.Equal(MatchField.VlanId, 100)], queue, 0, 100));
        var tagged = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Vlan(100, priority: 5).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, SteeredPort).Payload(16).Build();
        var other = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Vlan(200).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, SteeredPort).Payload(16).Build();
        _sender.Send(tagged);
        _sender.Send(other);
        var drained = DrainUntil(queue, 1, keep: true);
        Assert.Single(drained);
        Assert.Equal(tagged, _pool.Packet(drained[0]).ToArray());
        Assert.Equal(100UL, _pool.Descriptor(drained[0]).RxFilterContext);
        _pool.Return(drained.ToArray());
        Assert.Empty(DrainUntil(queue, 0));
        Assert.Equal(1, filter.Counters.PacketsMatched);
        _provider.ClearReceiveFilter(filter);
        queue.FlushQueue();
        Assert.Equal(62, DrainUntil(queue, 62).Count);
    }

    [VethFact]
    public void Acquired_queues_share_what_no_filter_matches_through_packet_fanout_each_frame_once()
    {
        var filtered = Posted();
        var acquired = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 128, _pool), 2);
        foreach (var q in acquired)
            Post(q, 127);
        var filter = _provider.SetReceiveFilter(new ReceiveFilterParameters([Port(SteeredPort)], filtered));
        Assert.Equal(PdStatus.NotSupported, Assert.Throws<PdException>(() => _provider.SetReceiveFilter(new ReceiveFilterParameters([Port(PassedPort)], acquired[0]))).Status);

        Send(SteeredPort, 4);
        var flows = Enumerable.Range(0, 64).Select(i => (ushort)(41000 + i)).ToList();
        foreach (var source in flows)
            _sender.Send(Frame(PassedPort, source: source));

        Assert.Equal(4, DrainUntil(filtered, 4).Count);
        var shares = acquired.Select(q => SourcePorts(DrainUntil(q, 64, keep: true, untilQuiet: true), PassedPort)).ToList();
        Assert.All(shares, share => Assert.NotEmpty(share));
        Assert.Equal(flows, shares.SelectMany(s => s).Order());

        _provider.ClearReceiveFilter(filter);
        foreach (var q in acquired.Append(filtered))
        {
            q.FlushQueue();
            DrainUntil(q, q.Outstanding);
        }
        _provider.ReleaseReceiveQueues();
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    [VethFact]
    public void Every_frame_reaches_the_queue_the_classifier_chooses_for_it_whichever_half_decides()
    {
        var first = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 128, _pool));
        var second = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 128, _pool));
        var rss = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 128, _pool), 1)[0];
        foreach (var q in new[] { first, second, rss })
            Post(q, 127);
        (string Field, string Value)[][] conditions =
        [
            [("protocol", "udp"), ("destinationPort", "5000-5100")],
            [("sourceIp", "198.18.0.0/24"), ("destinationPort", "5050")],
            [("etherType", "0x0806")],
            [("destinationPort", "5060"), ("tcpFlags", "syn")],
            [("protocol", "tcp")],
            [("vlanId", "7")],
            [("ipVersion", "6"), ("destinationPort", "5000-5100")],
            [("destinationIp", "198.18.1.0/24"), ("sourcePort", "1000-2000")],
            [("protocol", "icmp"), ("dscp", "10")],
        ];
        int[] priorities = [1, 2, 3, 0, 4, 5, 6, 2, 1];
        var targets = new IPdQueue[] { first, second, second, second, first, second, first, second, first };
        var parameters = conditions.Select((c, i) => new ReceiveFilterParameters(
            [.. c.Select(m => FieldMatchSyntax.Parse(Enum.Parse<MatchField>(m.Field, ignoreCase: true), m.Value))], targets[i], priorities[i], (ulong)i + 1)).ToList();
        var filters = _provider.UpdateReceiveFilters([], parameters);
        var classifier = Classifier.Compile([.. parameters.Select(p => new ClassifierRule(p.Priority, p.Matches))]);

        var random = new Random(9);
        var expected = new Dictionary<IPdQueue, List<string>> { [first] = [], [second] = [], [rss] = [] };
        var received = new Dictionary<IPdQueue, List<string>> { [first] = [], [second] = [], [rss] = [] };
        for (var batch = 0; batch < 8; batch++)
        {
            var sent = new Dictionary<IPdQueue, int> { [first] = 0, [second] = 0, [rss] = 0 };
            for (var i = 0; i < 50; i++)
            {
                var frame = RandomFrame(random);
                var info = default(PacketInfo);
                PacketParser.Parse(frame, ref info);
                var rule = classifier.Classify(in info.Key);
                var queue = rule >= 0 ? targets[rule] : rss;
                expected[queue].Add(Convert.ToHexString(frame));
                sent[queue]++;
                _sender.Send(frame);
            }
            foreach (var (queue, count) in sent)
                Collect(queue, count, untilQuiet: batch == 7, received[queue], rss);
        }
        var differences = expected.Where(e => !e.Value.Order().SequenceEqual(received[e.Key].Order())).Select(e =>
            $"queue {(e.Key == first ? "first" : e.Key == second ? "second" : "rss")}: {e.Value.Count} expected, {received[e.Key].Count} received " +
            $"({e.Key.ReceiveCounters.PacketsDropped} dropped); missing {string.Join(" ", e.Value.Except(received[e.Key]))}; not its own {string.Join(" ", received[e.Key].Except(e.Value))}").ToList();
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
        Assert.True(expected.Values.All(v => v.Count > 10), "every queue's share is tried");

        _provider.UpdateReceiveFilters(filters, []);
        foreach (var q in new[] { first, second, rss })
        {
            q.FlushQueue();
            DrainUntil(q, q.Outstanding);
        }
        _provider.ReleaseReceiveQueues();
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    /// <summary>
    /// Drains <paramref name="count"/> frames from <paramref name="queue"/> (with <paramref name="untilQuiet"/>, all it
    /// gives), adds them to <paramref name="into"/> as hex, checks each has a filter's context unless it came to the
    /// RSS queue <paramref name="rss"/>, and posts the buffers again.
    /// </summary>
    private void Collect(IPdQueue queue, int count, bool untilQuiet, List<string> into, IPdQueue rss)
    {
        var got = DrainUntil(queue, count, keep: true, untilQuiet: untilQuiet);
        foreach (var h in got)
        {
            into.Add(Convert.ToHexString(_pool.Packet(h)));
            Assert.Equal(queue != rss, _pool.Descriptor(h).RxFilterContext != 0);
        }
        Assert.Equal(got.Count, queue.PostAndDrain(got.ToArray(), []).Posted);
    }

    /// <summary>
    /// A frame of random headers: tagged or not, IPv4 (with options or as a later fragment), IPv6, ARP; UDP, TCP or
    /// ICMP; ports about the filters' edges; and one in eight cut short.
    /// </summary>
    private static byte[] RandomFrame(Random random)
    {
        var b = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac);
        var tagged = random.Next(4) == 0;
        if (tagged)
            b.Vlan((ushort)random.Next(6, 9));
        ushort Port() => random.Next(4) switch
        {
            0 => (ushort)random.Next(4990, 5110),
            1 => (ushort)random.Next(990, 2010),
            2 => (ushort)(5050 + random.Next(0, 11)),
            _ => (ushort)random.Next(1, 65535),
        };
        switch (random.Next(8))
        {
            case 0:
                b.Arp(VethPair.PeerMac, "198.18.0.1", "198.18.1.1");
                break;
            case 1:
                b.Ipv6("2001:db8::1", "2001:db8::2").Udp(Port(), Port());
                break;
            case 2:
                b.Ipv4(random.Next(2) == 0 ? "198.18.0.7" : "198.18.2.7", "198.18.1.1", dscp: (byte)(random.Next(2) * 10)).Icmp(8, 0);
                break;
            default:
                var source = random.Next(3) == 0 ? "198.18.0.9" : "198.18.3.9";
                var destination = random.Next(2) == 0 ? "198.18.1.1" : "198.18.9.1";
                var options = random.Next(5) == 0 ? new byte[] { 1, 1, 1, 0 } : null;
                b.Ipv4(source, destination, options: options, fragmentOffset: (ushort)(random.Next(6) == 0 ? 8 : 0));
                if (random.Next(2) == 0)
                    b.Udp(Port(), Port());
                else
                    b.Tcp(Port(), Port(), random.Next(2) == 0 ? (byte)0x02 : (byte)0x10);
                break;
        }
        var frame = b.Payload(random.Next(0, 40)).Build();
        if (random.Next(8) == 0)
            frame = frame[..random.Next(tagged ? 18 : 14, frame.Length)];
        return frame;
    }

    [VethFact]
    public void Receiving_and_sending_back_in_steady_state_allocates_nothing()
    {
        var rx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 64, _pool));
        var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 256, _pool));
        var filter = _provider.SetReceiveFilter(new ReceiveFilterParameters([Port(SteeredPort)], rx, 0, 7));
        var free = new int[63];
        Assert.Equal(63, _pool.TryAllocate(free));
        var freeCount = free.Length;
        var drained = new int[64];
        var done = new int[256];
        var frame = Frame(SteeredPort);
        using var sending = new CancellationTokenSource();
        var sender = Task.Run(() =>
        {
            while (!sending.IsCancellationRequested)
            {
                for (var i = 0; i < 32; i++)
                    _sender.Send(frame);
                Thread.Sleep(1);
            }
        });
        try
        {
            long received = 0;
            void Forward(long until)
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while (received < until && DateTime.UtcNow < deadline)
                {
                    var r = rx.PostAndDrain(free.AsSpan(0, freeCount), drained);
                    free.AsSpan(r.Posted, freeCount - r.Posted).CopyTo(free);
                    freeCount -= r.Posted;
                    received += r.Drained;
                    var t = tx.PostAndDrain(drained.AsSpan(0, r.Drained), done);
                    done.AsSpan(0, t.Drained).CopyTo(free.AsSpan(freeCount));
                    freeCount += t.Drained;
                }
            }

            Forward(2_000);
            var before = GC.GetAllocatedBytesForCurrentThread();
            Forward(22_000);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(received >= 22_000, $"received {received} of 22,000 frames");
            Assert.Equal(0, allocated);
            Assert.True(tx.TransmitCounters.PacketsTransmitted >= 20_000);
        }
        finally
        {
            sending.Cancel();
            sender.Wait();
        }
        _provider.ClearReceiveFilter(filter);
        rx.FlushQueue();
        tx.FlushQueue();
        DrainUntil(rx, rx.Outstanding);
        DrainUntil(tx, tx.Outstanding);
        _pool.Return(free.AsSpan(0, freeCount));
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    public void Dispose()
    {
        try
        {
            _steered.Dispose();
            _passed.Dispose();
            _provider.Dispose();
        }
        finally
        {
            _sender.Dispose();
            _veth.Dispose();
            _pool.Dispose();
        }
    }

    private static FieldMatch Port(ushort port) => FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{port}");

    private static byte[] Frame(ushort port, byte ttl = 64, ushort source = 40000) =>
        new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1", ttl).Udp(source, port).Payload(16).Build();

    private AfPacketReceiveQueue Posted()
    {
        var queue = (AfPacketReceiveQueue)_provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 64, _pool));
        Post(queue, 63);
        return queue;
    }

    private void Post(IPdQueue queue, int count)
    {
        var buffers = new int[count];
        Assert.Equal(count, _pool.TryAllocate(buffers));
        Assert.Equal(count, queue.PostAndDrain(buffers, []).Posted);
    }

    private void Send(ushort port, int count, byte ttl = 64)
    {
        var frame = Frame(port, ttl);
        for (var i = 0; i < count; i++)
            _sender.Send(frame);
    }

    /// <summary>The UDP source ports of the frames to <paramref name="port"/> among <paramref name="handles"/>, which go back to the pool.</summary>
    private List<ushort> SourcePorts(List<int> handles, ushort port)
    {
        var ports = new List<ushort>();
        foreach (var h in handles)
        {
            var info = default(PacketInfo);
            PacketParser.Parse(_pool.Packet(h), ref info);
            if (info.Headers.HasFlag(PacketHeaders.Ports) && info.Key.Get(MatchField.DestinationPort) == port)
                ports.Add((ushort)info.Key.Get(MatchField.SourcePort));
        }
        _pool.Return(handles.ToArray());
        return ports;
    }

    /// <summary>
    /// Drains until <paramref name="expected"/> buffers came back or two seconds passed (with <paramref name="untilQuiet"/>,
    /// until nothing came for half a second), returning them to the pool unless <paramref name="keep"/>.
    /// </summary>
    private List<int> DrainUntil(IPdQueue queue, int expected, bool keep = false, bool untilQuiet = false)
    {
        var into = new int[64];
        var got = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        var quiet = DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
        do
        {
            var n = queue.PostAndDrain([], into).Drained;
            got.AddRange(into.AsSpan(0, n).ToArray());
            if (n > 0)
                quiet = DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
            if (untilQuiet && DateTime.UtcNow > quiet)
                break;
        }
        while ((untilQuiet || got.Count < expected || expected == 0) && DateTime.UtcNow < deadline);
        if (!keep)
            _pool.Return(got.ToArray());
        return got;
    }
}
