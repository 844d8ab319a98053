using System.Buffers.Binary;
using System.Diagnostics;
using System.Threading.Channels;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.DataPath;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Diagnostics;
using PdCluster.Queues.Idle;
using PdCluster.Queues.Packets;
using PdCluster.Queues.Rings;

namespace PdCluster.Bench;

/// <summary>The end-to-end scenarios. Each runs a warm-up, then measures over a window on this machine, now.</summary>
internal sealed class Scenarios(TimeSpan warmup, TimeSpan window)
{
    /// <summary>
    /// Generator → wire → PD RX queue (RSS acquired) → filter stage with <paramref name="rules"/> rules → L2 forward →
    /// PD TX → wire → generator sink. The forwarder has a core of its own; the generator runs on the calling thread.
    /// Mpps counts packets the forwarder sent; latency is the round trip from the stamp in each frame.
    /// </summary>
    public BenchResult PdForward(int rules)
    {
        var genPort = new SoftNic(AdapterInfo.ConnectX3Pro("gen", 0x02_00_00_00_00_01));
        var dut = new SoftNic(AdapterInfo.ConnectX3Pro("dut", 0x02_00_00_00_00_02));
        Wire.Connect(genPort, dut);
        using var pool = new BufferPool(8192);
        using var provider = new SimulatedProvider(dut);
        var rx = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 1024, pool), 1)[0];
        var tx = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 1024, pool));
        var cache = pool.CreateCache(512);
        var forwarder = new PdForwarder(rx, tx, cache, [new FilterStage(FilterTable.Compile(Workload.Rules(rules))), new L2ForwardStage()]);
        var thread = new PollingThread("pd-forward", forwarder, new BusySpinIdleStrategy());
        using var generator = new TrafficGenerator(genPort, Workload.Flows(rules));
        thread.Start();

        Pump(generator, warmup);
        generator.Latency.Reset();
        var forwarded = forwarder.Forwarded;
        var allocated = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        Pump(generator, window);
        var seconds = clock.Elapsed.TotalSeconds;
        var packets = forwarder.Forwarded - forwarded;
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;

        thread.Stop();
        if (thread.Fault is not null)
            throw thread.Fault;
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
        return Workload.Result("pd-forward", "simulated", rules, packets, seconds, allocated, generator.Latency);
    }

    /// <summary>
    /// The ceiling: the same frames and copies with no provider, classifier or framework. One thread writes frames into
    /// buffers and rings them over; the other copies each into a buffer of its own (the wire), swaps MACs and rings it
    /// back; the first copies it once more (the wire back), reads the stamp and frees both.
    /// </summary>
    public BenchResult RawRing()
    {
        var frames = Workload.Frames(1);
        using var pool = new BufferPool(8192);
        var there = new SpscRing<int>(1024);
        var back = new SpscRing<int>(1024);
        var running = true;
        long turned = 0;
        var peer = new Thread(() =>
        {
            var cache = pool.CreateCache(512);
            var burst = new int[32];
            var fresh = new int[32];
            while (Volatile.Read(ref running))
            {
                var n = there.TryDequeue(burst);
                if (n == 0)
                    continue;
                n = cache.TryAllocate(fresh.AsSpan(0, n));
                for (var i = 0; i < n; i++)
                {
                    var source = pool.Packet(burst[i]);
                    ref var d = ref pool.Descriptor(fresh[i]);
                    d.DataStart = 0;
                    d.DataLength = source.Length;
                    var frame = pool.Buffer(fresh[i])[..source.Length];
                    source.CopyTo(frame);
                    SwapMacs(frame);
                }
                cache.Return(burst.AsSpan(0, n));
                var sent = 0;
                while (sent < n && Volatile.Read(ref running))
                    sent += back.TryEnqueue(fresh.AsSpan(sent, n - sent));
                Volatile.Write(ref turned, turned + n);
            }
            cache.Flush();
        }) { Name = "raw-ring peer" };
        peer.Start();

        var latency = new LatencyHistogram();
        var local = pool.CreateCache(512);
        var outgoing = new int[32];
        var incoming = new int[32];
        var sink = new byte[2048];
        var next = 0;

        void Run(TimeSpan span)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < span)
            {
                var n = local.TryAllocate(outgoing);
                var stamp = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++)
                {
                    var template = frames[next];
                    next = next + 1 == frames.Length ? 0 : next + 1;
                    ref var d = ref pool.Descriptor(outgoing[i]);
                    d.DataStart = 0;
                    d.DataLength = template.Length;
                    var buffer = pool.Buffer(outgoing[i]);
                    template.CopyTo(buffer);
                    BinaryPrimitives.WriteInt64LittleEndian(buffer[(template.Length - 16)..], stamp);
                }
                var queued = there.TryEnqueue(outgoing.AsSpan(0, n));
                local.Return(outgoing.AsSpan(queued, n - queued));

                var m = back.TryDequeue(incoming);
                for (var i = 0; i < m; i++)
                {
                    var packet = pool.Packet(incoming[i]);
                    packet.CopyTo(sink);
                    latency.Record(Workload.NanosecondsSince(BinaryPrimitives.ReadInt64LittleEndian(sink.AsSpan(packet.Length - 16))));
                }
                local.Return(incoming.AsSpan(0, m));
            }
        }

        Run(warmup);
        latency.Reset();
        var start = Volatile.Read(ref turned);
        var allocated = GC.GetTotalAllocatedBytes(true);
        var watch = Stopwatch.StartNew();
        Run(window);
        var seconds = watch.Elapsed.TotalSeconds;
        var packets = Volatile.Read(ref turned) - start;
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;
        Volatile.Write(ref running, false);
        peer.Join();
        return Workload.Result("raw-ring", "none", 0, packets, seconds, allocated, latency);
    }

    /// <summary>
    /// The normal-stack shape: one heap-allocated frame and one queued item per packet through a Channel to an async
    /// reader that parses it and swaps its MACs. Latency is one way, from the stamp.
    /// </summary>
    public BenchResult Traditional()
    {
        var frames = Workload.Frames(1);
        var channel = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var latency = new LatencyHistogram();
        long consumed = 0;
        var reader = Task.Run(async () =>
        {
            var info = new PacketInfo();
            await foreach (var frame in channel.Reader.ReadAllAsync())
            {
                PacketParser.Parse(frame, ref info);
                SwapMacs(frame);
                latency.Record(Workload.NanosecondsSince(BinaryPrimitives.ReadInt64LittleEndian(frame.AsSpan(frame.Length - 16))));
                Volatile.Write(ref consumed, consumed + 1);
            }
        });

        var running = true;
        var writer = new Thread(() =>
        {
            var next = 0;
            while (Volatile.Read(ref running))
            {
                var template = frames[next];
                next = next + 1 == frames.Length ? 0 : next + 1;
                var frame = new byte[template.Length];
                template.CopyTo(frame, 0);
                BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(frame.Length - 16), Stopwatch.GetTimestamp());
                while (!channel.Writer.TryWrite(frame))
                {
                    if (!Volatile.Read(ref running))
                        return;
                    Thread.SpinWait(16);
                }
            }
        }) { Name = "traditional writer" };
        writer.Start();

        Thread.Sleep(warmup);
        latency.Reset();
        var start = Volatile.Read(ref consumed);
        var allocated = GC.GetTotalAllocatedBytes(true);
        var watch = Stopwatch.StartNew();
        Thread.Sleep(window);
        var seconds = watch.Elapsed.TotalSeconds;
        var packets = Volatile.Read(ref consumed) - start;
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;
        Volatile.Write(ref running, false);
        writer.Join();
        channel.Writer.Complete();
        reader.Wait();
        return Workload.Result("traditional", "channel", 0, packets, seconds, allocated, latency, "Channel<byte[]> with an async reader, one allocation per packet");
    }

    /// <summary>Classifier lookups per second at <paramref name="rules"/> rules, beside a linear scan of the same rules.</summary>
    public BenchResult Classifier(int rules)
    {
        var specs = Workload.Rules(rules);
        var compiled = Queues.Classification.Classifier.Compile([.. specs.Select(s => s.ToRule())]);
        var linear = new LinearScanClassifier([.. specs.Select(s => s.ToRule())]);
        var random = new Random(11);
        var keys = new FlowKey[4096];
        for (var i = 0; i < keys.Length; i++)
        {
            var hit = random.Next(2) == 0;
            var frame = new FrameBuilder().Ethernet(2, 1).Ipv4(Workload.RuleAddress(random.Next(Math.Max(1, rules))), "198.19.255.1")
                .Udp(40000, hit ? (ushort)53 : (ushort)54).Build();
            var info = new PacketInfo();
            PacketParser.Parse(frame, ref info);
            keys[i] = info.Key;
        }

        var (tuple, tupleSeconds, allocated) = Lookups(k => compiled.Classify(in k), keys);
        var (scan, scanSeconds, _) = Lookups(k => linear.Classify(in k), keys);
        var tupleRate = tuple / tupleSeconds / 1e6;
        var scanRate = scan / scanSeconds / 1e6;
        return new BenchResult("classifier", "tuple-space", rules, Math.Round(tupleRate, 3), Math.Round((double)allocated / tuple, 3), 0, 0, 0, tuple,
            Math.Round(tupleSeconds, 2), BaselineMpps: Math.Round(scanRate, 6),
            Note: $"{compiled.SubtableCount} masks; baseline is a linear scan (Mlookups/s)");
    }

    private (long Lookups, double Seconds, long Allocated) Lookups(Func<FlowKey, int> classify, FlowKey[] keys)
    {
        var sink = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < warmup / 2)
            sink += classify(keys[sink & (keys.Length - 1)]);
        long count = 0;
        var allocated = GC.GetTotalAllocatedBytes(true);
        clock.Restart();
        while (clock.Elapsed < window / 2)
        {
            for (var i = 0; i < 64; i++)
                sink += classify(keys[(int)(count++ & (keys.Length - 1))]);
        }
        GC.KeepAlive(sink);
        return (count, clock.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(true) - allocated);
    }

    private static void Pump(TrafficGenerator generator, TimeSpan span)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < span)
        {
            generator.Transmit();
            generator.Receive();
        }
    }

    private static void SwapMacs(Span<byte> frame)
    {
        Span<byte> mac = stackalloc byte[6];
        frame[..6].CopyTo(mac);
        frame.Slice(6, 6).CopyTo(frame);
        mac.CopyTo(frame[6..]);
    }
}
