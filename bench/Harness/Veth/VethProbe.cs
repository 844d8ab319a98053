using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Diagnostics;
using PdCluster.Queues.Packets;

namespace PdCluster.Bench.Veth;

/// <summary>
/// <c>pd-bench veth-probe --interface IF --label PATH [--rate PPS] [--seconds S]</c>: the latency probe on the generator end. It sends
/// stamped 64-byte UDP frames at a fixed rate through the project's own transmit path (an AF_XDP provider's transmit
/// queue), takes every frame back on a receive queue that acquired the interface's RSS, and records the round trip
/// of each reflected frame it recognises by its mark. Prints one JSON line: sent, received, p50/p99/p99.9 in µs.
/// </summary>
internal static class VethProbe
{
    private const long Mark = 0x5044_5052_4F42_4531; // "PDPROBE1"
    private const int Burst = 32;

    public static int Run(VethOptions options)
    {
        var interfaceName = options.Text("interface");
        var rate = options.Number("rate", 20_000);
        var seconds = options.Number("seconds", 5);
        if (!AdapterInfo.TryParseMac(options.Text("destination-mac", "02:00:00:00:00:02"), out var destinationMac) ||
            !AdapterInfo.TryParseMac(options.Text("source-mac", "02:00:00:00:00:01"), out var sourceMac))
            throw new VethUsageException("--destination-mac/--source-mac: six octets of two hex digits joined by ':'");
        var port = (ushort)options.Number("port", 9000);
        var frame = new FrameBuilder().Ethernet(destinationMac, sourceMac)
            .Ipv4(options.Text("source-ip", "198.18.0.1"), options.Text("destination-ip", "198.18.0.2")).Udp(port, port).Payload(18).Build(60);
        // UDP checksum 0 (none): the payload changes per frame, and a wrong checksum would be dropped by a socket receiver.
        frame[40] = frame[41] = 0;

        using var adapter = PdProviderRegistry.Default.Get("afxdp").Bind(new PdAdapterOptions("probe", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(interfaceName)));
        using var pool = new BufferPool(2048);
        using var provider = adapter.OpenProvider();
        var rx = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 512, pool), 1)[0];
        var tx = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 512, pool));
        var cache = pool.CreateCache(512);
        var latency = new LatencyHistogram();
        var (sent, received) = Probe(rx, tx, cache, pool, frame, rate, TimeSpan.FromSeconds(seconds), latency);

        Span<int> drained = stackalloc int[Burst];
        foreach (var queue in new[] { rx, tx })
        {
            queue.FlushQueue();
            int n;
            while ((n = queue.PostAndDrain([], drained).Drained) > 0)
                cache.Return(drained[..n]);
        }
        cache.Flush();
        provider.ReleaseReceiveQueues();
        provider.FreeQueue(tx);
        Console.Out.WriteLine(JsonSerializer.Serialize(new ProbeResult(options.Text("label", "probe"), sent, received, latency.Percentile(50) / 1000.0, latency.Percentile(99) / 1000.0, latency.Percentile(99.9) / 1000.0), BenchJson.Default.ProbeResult));
        return 0;
    }

    private static (long Sent, long Received) Probe(IPdQueue rx, IPdQueue tx, BufferCache cache, BufferPool pool, byte[] frame, int rate, TimeSpan window, LatencyHistogram latency)
    {
        Span<int> fresh = stackalloc int[Burst];
        Span<int> drained = stackalloc int[Burst];
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var next = start;
        long sent = 0, received = 0;
        // Keep the receive ring posted; then: send what is due, take completions and reflected frames back.
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end + Stopwatch.Frequency / 10)
                break;
            var posted = rx.PostAndDrain(fresh[..cache.TryAllocate(fresh[..Math.Min(Burst, rx.Capacity - rx.Outstanding)])], drained);
            now = Stopwatch.GetTimestamp();
            for (var i = 0; i < posted.Drained; i++)
            {
                var packet = pool.Packet(drained[i]);
                if (packet.Length >= 16 && BinaryPrimitives.ReadInt64LittleEndian(packet[^16..]) == Mark)
                {
                    latency.Record((long)((now - BinaryPrimitives.ReadInt64LittleEndian(packet[^8..])) * (1e9 / Stopwatch.Frequency)));
                    received++;
                }
            }
            cache.Return(drained[..posted.Drained]);
            var due = now < end && now >= next ? 1 : 0;
            var send = fresh[..cache.TryAllocate(fresh[..due])];
            foreach (var handle in send)
            {
                pool.SetPacket(handle, frame);
                var packet = pool.Packet(handle);
                BinaryPrimitives.WriteInt64LittleEndian(packet[^16..], Mark);
                BinaryPrimitives.WriteInt64LittleEndian(packet[^8..], Stopwatch.GetTimestamp());
            }
            var done = tx.PostAndDrain(send, drained);
            cache.Return(send[done.Posted..]);
            cache.Return(drained[..done.Drained]);
            sent += done.Posted;
            if (due == 1)
                next += interval;
        }
        return (sent, received);
    }
}

/// <summary>What the latency probe measured.</summary>
internal sealed record ProbeResult(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sent")] long Sent,
    [property: JsonPropertyName("received")] long Received,
    [property: JsonPropertyName("p50_us")] double P50Us,
    [property: JsonPropertyName("p99_us")] double P99Us,
    [property: JsonPropertyName("p999_us")] double P999Us);
