using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.DataPath;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Diagnostics;
using PdCluster.Concurrency;
using PdCluster.Queues.Packets;
using PdCluster.Queues.Rings;

namespace PdCluster.Bench;

/// <summary>The end-to-end scenarios. Each runs a warm-up, then measures over a window on this machine, now.</summary>
internal sealed class Scenarios(TimeSpan warmup, TimeSpan window)
{
    /// <summary>Packets per duty cycle in pd-forward and per ring operation in raw-ring: the same for both.</summary>
    private const int Burst = PdForwarder.DefaultBurstSize;

    /// <summary>
    /// Generator → wire → PD RX queue (RSS acquired) → filter stage with <paramref name="rules"/> rules → L2 forward →
    /// PD TX → wire → generator sink. The forwarding loop has a core of its own: a <see cref="QueueActor"/> on the
    /// pinned dispatcher, or with <paramref name="throughActors"/> false the same <see cref="DutyCycleRunner"/> the
    /// pinned dispatcher runs, hosting the forwarder with no mailbox. Both spin when idle. The generator runs on the calling thread. Mpps counts packets
    /// forwarded; latency is the round trip from the stamp in each frame. The DUT's receive hashing is off (ethtool's
    /// rxhash): with one RSS queue the hash chooses nothing, and a simulated NIC's parsing would otherwise be charged
    /// to the generator's core.
    /// </summary>
    public BenchResult PdForward(int rules, bool throughActors)
    {
        using var lab = new SoftNicLab(AdapterInfo.ConnectX3Pro("dut", 0x02_00_00_00_00_02), Workload.Flows(rules));
        lab.Adapter.ReceiveHashing = false;
        using var pool = new BufferPool(8192);
        using var provider = new SimulatedProvider(lab.Adapter);
        var rx = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 1024, pool), 1)[0];
        var tx = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 1024, pool));
        var filters = CompiledFilterSet.Compile(Workload.Rules(rules));
        var generator = lab.Generator!;

        Func<long> forwarded;
        Func<TimeSpan> busy;
        Action stop;
        if (throughActors)
        {
            var system = ActorSystem.Create("bench");
            var telemetry = new QueueTelemetry(0, rx, tx);
            var settings = new QueueActorSettings(telemetry, pool, filters, Idle: QueueIdle.BusySpin, BurstSize: Burst);
            var queue = system.ActorOf(Props.Create(() => new QueueActor(settings)).WithDispatcher(Props.PinnedDispatcher), "queue-0");
            var started = Stopwatch.StartNew();
            while (rx.Outstanding == 0 && started.Elapsed < TimeSpan.FromSeconds(10))
                Thread.Yield();
            forwarded = () => telemetry.Forwarded;
            busy = () => telemetry.Busy;
            stop = () =>
            {
                queue.GracefulStop(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                system.Terminate().Wait(TimeSpan.FromSeconds(10));
            };
        }
        else
        {
            var cache = pool.CreateCache(512);
            var forwarder = new PdForwarder(rx, tx, cache, [new FilterStage(new FilterTable(filters)), new L2ForwardStage()], Burst);
            Exception? fault = null;
            var runner = new DutyCycleRunner(forwarder, new BusySpinIdleStrategy(), e => fault = e);
            runner.Start();
            forwarded = () => forwarder.Forwarded;
            busy = () => Stopwatch.GetElapsedTime(0, forwarder.BusyTicks);
            stop = () =>
            {
                runner.Close();
                if (fault is not null)
                    throw fault;
                forwarder.Quiesce(TimeSpan.FromSeconds(5));
                cache.Flush();
            };
        }

        var (packets, seconds, allocated, busyTime) = Measure(span => Pump(generator, span), forwarded, generator.Latency, busy);
        stop();
        return Workload.Result(throughActors ? "pd-forward" : "pd-forward-direct", throughActors ? "simulated+actors" : "simulated", rules, packets, seconds, allocated, generator.Latency)
            .WithBusy(packets, seconds, busyTime);
    }

    /// <summary>
    /// The ceiling: the same frames and copies with no provider, classifier or framework. Each side owns a pool, as
    /// in pd-forward. One thread writes frames into its buffers and rings them over; the other copies each into a
    /// buffer of its own (the wire), swaps MACs and rings it back; the first copies it once more (the wire back) and
    /// reads the stamp. Each buffer goes home on a completion ring, as PD's TX completions do.
    /// </summary>
    public BenchResult RawRing()
    {
        var frames = Workload.Frames(1);
        using var poolA = new BufferPool(4096);
        using var poolB = new BufferPool(4096);
        var toB = new SpscRing<int>(1024);
        var doneA = new SpscRing<int>(1024);
        var toA = new SpscRing<int>(1024);
        var doneB = new SpscRing<int>(1024);
        var running = true;
        long turned = 0;
        long peerBusy = 0;
        var peer = new Thread(() =>
        {
            var cache = poolB.CreateCache(512);
            var burst = new int[Burst];
            var fresh = new int[Burst];
            while (Volatile.Read(ref running))
            {
                // Busy time is kept as PdForwarder keeps it: from the top of a cycle that finds work to its end.
                var start = Stopwatch.GetTimestamp();
                cache.Return(burst.AsSpan(0, doneB.TryDequeue(burst)));
                var n = toB.TryDequeue(burst);
                if (n == 0)
                    continue;
                var m = cache.TryAllocate(fresh.AsSpan(0, n));
                for (var i = 0; i < m; i++)
                {
                    poolB.SetPacket(fresh[i], poolA.Packet(burst[i]));
                    EthernetAddresses.Swap(poolB.Packet(fresh[i]));
                }
                Enqueue(doneA, burst.AsSpan(0, n), ref running);
                Enqueue(toA, fresh.AsSpan(0, m), ref running);
                Volatile.Write(ref turned, turned + m);
                Volatile.Write(ref peerBusy, peerBusy + Stopwatch.GetTimestamp() - start);
            }
            cache.Flush();
        }) { Name = "raw-ring peer" };
        peer.Start();

        var latency = new LatencyHistogram();
        var cache = poolA.CreateCache(512);
        var outgoing = new int[Burst];
        var incoming = new int[Burst];
        var sink = new byte[2048];
        var next = 0;

        void Run(TimeSpan span)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < span)
            {
                cache.Return(incoming.AsSpan(0, doneA.TryDequeue(incoming)));
                var n = cache.TryAllocate(outgoing);
                var stamp = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++)
                {
                    poolA.SetPacket(outgoing[i], frames[next]);
                    next = next + 1 == frames.Length ? 0 : next + 1;
                    BinaryPrimitives.WriteInt64LittleEndian(poolA.Packet(outgoing[i])[^16..], stamp);
                }
                var queued = toB.TryEnqueue(outgoing.AsSpan(0, n));
                cache.Return(outgoing.AsSpan(queued, n - queued));

                var m = toA.TryDequeue(incoming);
                var now = Stopwatch.GetTimestamp();
                for (var i = 0; i < m; i++)
                {
                    var packet = poolB.Packet(incoming[i]);
                    packet.CopyTo(sink);
                    latency.Record((long)((now - BinaryPrimitives.ReadInt64LittleEndian(sink.AsSpan(packet.Length - 16))) * (1e9 / Stopwatch.Frequency)));
                }
                var sent = 0;
                while (sent < m)
                    sent += doneB.TryEnqueue(incoming.AsSpan(sent, m - sent));
            }
        }

        var (packets, seconds, allocated, busy) = Measure(Run, () => Volatile.Read(ref turned), latency, () => Stopwatch.GetElapsedTime(0, Volatile.Read(ref peerBusy)));
        Volatile.Write(ref running, false);
        peer.Join();
        return Workload.Result("raw-ring", "none", 0, packets, seconds, allocated, latency).WithBusy(packets, seconds, busy);
    }

    private static void Enqueue(SpscRing<int> ring, ReadOnlySpan<int> items, ref bool running)
    {
        var sent = 0;
        while (sent < items.Length && Volatile.Read(ref running))
            sent += ring.TryEnqueue(items[sent..]);
    }

    /// <summary>
    /// The normal-stack shape as a .NET program meets it: per packet, one heap-allocated copy and one callback queued
    /// to the thread pool (as each completion of an async socket receive is), which parses the frame and swaps its
    /// MACs. At most 1,024 packets are in flight, the bound of the channel variant. Latency is one way, from the stamp.
    /// </summary>
    public BenchResult Traditional()
    {
        var frames = Workload.Frames(1);
        var histograms = new ThreadLocal<LatencyHistogram>(() => new LatencyHistogram(), trackAllValues: true);
        var recording = false;
        var running = true;
        long consumed = 0;
        var inFlight = 0;
        Action<byte[]> deliver = frame =>
        {
            var info = new PacketInfo();
            PacketParser.Parse(frame, ref info);
            EthernetAddresses.Swap(frame);
            if (Volatile.Read(ref recording))
                histograms.Value!.Record(Workload.NanosecondsSince(BinaryPrimitives.ReadInt64LittleEndian(frame.AsSpan(frame.Length - 16))));
            Interlocked.Increment(ref consumed);
            Interlocked.Decrement(ref inFlight);
        };

        var writer = new Thread(() =>
        {
            var next = 0;
            while (Volatile.Read(ref running))
            {
                if (Volatile.Read(ref inFlight) >= 1024)
                {
                    Thread.SpinWait(16);
                    continue;
                }
                var template = frames[next];
                next = next + 1 == frames.Length ? 0 : next + 1;
                var frame = new byte[template.Length];
                template.CopyTo(frame, 0);
                BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(frame.Length - 16), Stopwatch.GetTimestamp());
                Interlocked.Increment(ref inFlight);
                ThreadPool.UnsafeQueueUserWorkItem(deliver, frame, preferLocal: false);
            }
        }) { Name = "traditional writer" };
        writer.Start();

        var latency = new LatencyHistogram();
        var windows = 0;
        var (packets, seconds, allocated, _) = Measure(span =>
        {
            // The first call is the warm-up: latencies count from the second.
            Volatile.Write(ref recording, windows++ > 0);
            Thread.Sleep(span);
        }, () => Interlocked.Read(ref consumed), latency);
        Volatile.Write(ref running, false);
        writer.Join();
        SpinWait.SpinUntil(() => Volatile.Read(ref inFlight) == 0, TimeSpan.FromSeconds(10));
        foreach (var histogram in histograms.Values)
            latency.Add(histogram);
        return Workload.Result("traditional", "threadpool", 0, packets, seconds, allocated, latency,
            "one allocation and one thread-pool callback per packet");
    }

    /// <summary>
    /// The normal-stack shape at its most forgiving: one heap-allocated frame and one queued item per packet through a
    /// Channel to an async reader that parses it and swaps its MACs; a reader that keeps finding items drains them
    /// without a callback each. Latency is one way, from the stamp.
    /// </summary>
    public BenchResult TraditionalChannel()
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
                EthernetAddresses.Swap(frame);
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

        var (packets, seconds, allocated, _) = Measure(Thread.Sleep, () => Volatile.Read(ref consumed), latency);
        Volatile.Write(ref running, false);
        writer.Join();
        channel.Writer.Complete();
        reader.Wait();
        return Workload.Result("traditional-channel", "channel", 0, packets, seconds, allocated, latency, "Channel<byte[]> with an async reader, one allocation per packet");
    }

    /// <summary>
    /// The operating system's normal path: the same 18-byte payloads as UDP datagrams over loopback, one send and one
    /// receive system call per packet. Latency is one way, from the stamp.
    /// </summary>
    public BenchResult UdpSocket()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.ReceiveBufferSize = 4 << 20;
        receiver.ReceiveTimeout = 200;
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(receiver.LocalEndPoint!);

        var running = true;
        var writer = new Thread(() =>
        {
            var payload = new byte[Workload.FrameSize - 42];
            while (Volatile.Read(ref running))
            {
                BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(payload.Length - 16), Stopwatch.GetTimestamp());
                sender.Send(payload);
            }
        }) { Name = "socket writer" };
        writer.Start();

        var latency = new LatencyHistogram();
        var buffer = new byte[2048];
        long received = 0;
        void Run(TimeSpan span)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < span)
            {
                var n = receiver.Receive(buffer);
                latency.Record(Workload.NanosecondsSince(BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(n - 16))));
                received++;
            }
        }

        var (packets, seconds, allocated, _) = Measure(Run, () => received, latency);
        Volatile.Write(ref running, false);
        writer.Join();
        return Workload.Result("socket", "udp-loopback", 0, packets, seconds, allocated, latency, "UDP over 127.0.0.1, one syscall per packet each side");
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

    /// <summary>
    /// Runs the warm-up, forgets its latencies, then counts packets, time, allocation and (given a reading of it) the
    /// forwarding core's busy time over the window.
    /// </summary>
    private (long Packets, double Seconds, long Allocated, TimeSpan Busy) Measure(Action<TimeSpan> run, Func<long> packets, LatencyHistogram latency, Func<TimeSpan>? busy = null)
    {
        run(warmup);
        latency.Reset();
        var start = packets();
        var busyStart = busy?.Invoke() ?? TimeSpan.Zero;
        var allocated = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        run(window);
        var seconds = clock.Elapsed.TotalSeconds;
        return (packets() - start, seconds, GC.GetTotalAllocatedBytes(true) - allocated, (busy?.Invoke() ?? TimeSpan.Zero) - busyStart);
    }

    private static void Pump(TrafficGenerator generator, TimeSpan span)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < span)
        {
            // Bursts are well under a microsecond: look at the clock once per 16 of them.
            for (var i = 0; i < 16; i++)
            {
                generator.Transmit();
                generator.Receive();
            }
        }
    }
}
