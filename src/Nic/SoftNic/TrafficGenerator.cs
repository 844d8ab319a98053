using System.Buffers.Binary;
using System.Diagnostics;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Diagnostics;
using PdCluster.Queues.Packets;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// Drives one SoftNic port as fast as it can: sends bursts of the configured flows round-robin, each frame stamped
/// with a send timestamp and sequence number, and (as a sink) receives whatever comes back, measuring latency from
/// the stamps. It owns the port's PD resources: one TX queue, one RX queue that has acquired the port's RSS,
/// and turns the port's receive hashing off, as a tester's port does. Like a host's neighbour table, it takes a
/// gratuitous ARP that comes back as the announced address's new MAC: its flows to that address go there from then on.
/// </summary>
/// <remarks>Single-threaded: call <see cref="Transmit"/> and <see cref="Receive"/> from one thread.</remarks>
public sealed class TrafficGenerator : IDisposable
{
    /// <summary>Bytes at the end of each frame that carry the stamp: 8 for the timestamp, 8 for the sequence.</summary>
    public const int StampLength = 16;

    /// <summary>ICMP type of the generator's ICMP frames: echo request.</summary>
    private const byte EchoRequest = 8;
    private const ulong BroadcastMac = 0xFFFF_FFFF_FFFF;

    private readonly SoftNic _port;
    private readonly BufferPool _pool;
    private readonly BufferCache _cache;
    private readonly SoftNicQueue _tx;
    private readonly SoftNicQueue _rx;
    private readonly byte[][] _templates;
    private readonly uint[] _destinations;
    private readonly int[] _burst;
    private readonly int[] _drain;
    private int _nextFlow;
    private long _sequence;

    /// <summary>Sets up the generator's queues on <paramref name="port"/>.</summary>
    public TrafficGenerator(SoftNic port, IReadOnlyList<GeneratorFlow> flows, int burst = 32, int queueSlots = 1024)
    {
        if (flows.Count == 0)
            throw new ArgumentException("The generator needs at least one flow.", nameof(flows));
        _port = port;
        _templates = new byte[flows.Count][];
        _destinations = new uint[flows.Count];
        for (var i = 0; i < flows.Count; i++)
        {
            _templates[i] = BuildTemplate(flows[i]);
            if (flows[i].EtherType != EtherType.Arp && System.Net.IPAddress.TryParse(flows[i].Destination, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                _destinations[i] = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        }

        _pool = new BufferPool(queueSlots * 4, 2048);
        _cache = _pool.CreateCache(Math.Max(64, burst * 4));
        _tx = port.AllocateQueue(new QueueOptions(QueueKind.Transmit, queueSlots, _pool));
        _rx = port.AllocateQueue(new QueueOptions(QueueKind.Receive, queueSlots, _pool));
        port.SetRssQueues([_rx]);
        port.ReceiveHashing = false;
        _burst = new int[burst];
        _drain = new int[Math.Max(burst, 64)];
        Refill();
    }

    /// <summary>Frames put on the wire.</summary>
    public long Sent { get; private set; }

    /// <summary>Frames that came back to the sink.</summary>
    public long Received { get; private set; }

    /// <summary>Gratuitous ARPs that came back and moved at least one flow to the announced MAC.</summary>
    public long Announcements { get; private set; }

    /// <summary>Latency of frames that came back, from their send stamp, in nanoseconds.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Sends one burst of at most <paramref name="maxFrames"/>; returns how many frames went out.</summary>
    public int Transmit(long maxFrames = long.MaxValue)
    {
        var n = _cache.TryAllocate(_burst.AsSpan(0, (int)Math.Min(_burst.Length, maxFrames)));
        var stamp = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var flow = _nextFlow;
            _nextFlow = flow + 1 == _templates.Length ? 0 : flow + 1;
            var template = _templates[flow];
            var handle = _burst[i];
            _pool.SetPacket(handle, template);
            var stampAt = _pool.Packet(handle)[^StampLength..];
            BinaryPrimitives.WriteInt64LittleEndian(stampAt, stamp);
            BinaryPrimitives.WriteInt64LittleEndian(stampAt[8..], _sequence++);
        }
        var result = _tx.PostAndDrain(_burst.AsSpan(0, n), _drain);
        if (result.Posted < n)
            _cache.Return(_burst.AsSpan(result.Posted, n - result.Posted));
        _cache.Return(_drain.AsSpan(0, result.Drained));
        Sent += result.Posted;
        return result.Posted;
    }

    /// <summary>Drains the sink queue, records latencies, and reposts buffers; returns frames received.</summary>
    public int Receive()
    {
        var n = _cache.TryAllocate(_burst);
        var result = _rx.PostAndDrain(_burst.AsSpan(0, n), _drain);
        if (result.Posted < n)
            _cache.Return(_burst.AsSpan(result.Posted, n - result.Posted));
        var now = Stopwatch.GetTimestamp();
        var received = 0;
        _pool.Prefetch(_drain.AsSpan(0, result.Drained));
        for (var i = 0; i < result.Drained; i++)
        {
            var handle = _drain[i];
            var packet = _pool.Packet(handle);
            if (GratuitousArp.TryRead(packet, out var mac, out var address))
                Learn(mac, address);
            else if (packet.Length >= StampLength)
            {
                var sentAt = BinaryPrimitives.ReadInt64LittleEndian(packet[^StampLength..]);
                Latency.Record((long)((now - sentAt) * (1e9 / Stopwatch.Frequency)));
                received++;
            }
        }
        _cache.Return(_drain.AsSpan(0, result.Drained));
        Received += received;
        return received;
    }

    /// <summary>Sends the flows to <paramref name="address"/> to <paramref name="mac"/> from the next burst on.</summary>
    private void Learn(ulong mac, uint address)
    {
        var moved = false;
        for (var i = 0; i < _templates.Length; i++)
        {
            if (_destinations[i] != address || address == 0)
                continue;
            BinaryPrimitives.WriteUInt32BigEndian(_templates[i], (uint)(mac >> 16));
            BinaryPrimitives.WriteUInt16BigEndian(_templates[i].AsSpan(4), (ushort)mac);
            moved = true;
        }
        if (moved)
            Announcements++;
    }

    /// <summary>
    /// Sends and receives until <paramref name="token"/> is cancelled or <paramref name="maxFrames"/> were sent,
    /// at most <paramref name="ratePps"/> frames per second (0 = as fast as possible).
    /// </summary>
    public void Run(CancellationToken token, long maxFrames = long.MaxValue, long ratePps = 0)
    {
        var start = Stopwatch.GetTimestamp();
        while (!token.IsCancellationRequested && Sent < maxFrames)
        {
            var budget = maxFrames - Sent;
            if (ratePps > 0)
            {
                var allowed = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * ratePps) - Sent;
                if (allowed <= 0)
                {
                    Receive();
                    Thread.Sleep(1);
                    continue;
                }
                budget = Math.Min(budget, allowed);
            }
            Transmit(budget);
            Receive();
        }
    }

    /// <summary>Gives the port's RSS back, flushes and frees both queues, and returns every buffer.</summary>
    public void Dispose()
    {
        _port.SetRssQueues([]);
        _port.ReceiveHashing = true;
        foreach (var q in new[] { _rx, _tx })
        {
            q.Flush();
            while (q.Outstanding > 0)
            {
                var r = q.PostAndDrain([], _drain);
                _cache.Return(_drain.AsSpan(0, r.Drained));
            }
            _port.FreeQueue(q);
        }
        _cache.Flush();
        _pool.Dispose();
    }

    private void Refill()
    {
        while (_rx.Outstanding < _rx.Capacity)
        {
            var n = _cache.TryAllocate(_burst.AsSpan(0, Math.Min(_burst.Length, _rx.Capacity - _rx.Outstanding)));
            var r = _rx.PostAndDrain(_burst.AsSpan(0, n), []);
            _cache.Return(_burst.AsSpan(r.Posted, n - r.Posted));
            if (r.Posted == 0)
                return;
        }
    }

    /// <summary>The frame the generator sends for <paramref name="flow"/>, with room for the stamp at its end.</summary>
    internal static byte[] BuildTemplate(GeneratorFlow flow)
    {
        var b = new FrameBuilder().Ethernet(flow.EtherType == EtherType.Arp ? BroadcastMac : flow.DestinationMac, flow.SourceMac);
        if (flow.Vlan is { } vlan)
            b.Vlan(vlan);
        if (flow.EtherType == EtherType.Arp)
            return b.Arp(flow.SourceMac, flow.Source, flow.Destination).Build(flow.FrameSize);
        if (flow.Source.Contains(':'))
            b.Ipv6(flow.Source, flow.Destination);
        else
            b.Ipv4(flow.Source, flow.Destination);
        _ = flow.Protocol switch
        {
            IpProtocol.Tcp => b.Tcp(flow.SourcePort, flow.DestinationPort),
            IpProtocol.Udp => b.Udp(flow.SourcePort, flow.DestinationPort),
            IpProtocol.Icmp or IpProtocol.IcmpV6 => b.Icmp(EchoRequest, 0),
            _ => throw new ArgumentException(
                $"The generator sends TCP ({IpProtocol.Tcp}), UDP ({IpProtocol.Udp}) or ICMP ({IpProtocol.Icmp}, {IpProtocol.IcmpV6}), not protocol {flow.Protocol}."),
        };
        return b.Payload(StampLength).Build(flow.FrameSize);
    }
}
