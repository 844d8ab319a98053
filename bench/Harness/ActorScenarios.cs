using System.Diagnostics;
using System.Threading.Channels;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Diagnostics;

namespace PdCluster.Bench;

/// <summary>Scenarios of the actor runtime and the supervisors.</summary>
internal sealed class ActorScenarios(TimeSpan warmup, TimeSpan window)
{
    private const int InFlight = 100;

    /// <summary>
    /// 2 × cores actor pairs bouncing <see cref="InFlight"/> messages each on the default dispatcher, beside the
    /// same ping-pong between async tasks over bare <see cref="Channel{T}"/>s (<c>baseline_mpps</c>). Millions of
    /// messages delivered per second.
    /// </summary>
    public BenchResult PingPong()
    {
        var pairs = 2 * Environment.ProcessorCount;
        var counts = new long[pairs * 16];
        var system = ActorSystem.Create("pingpong");
        for (var p = 0; p < pairs; p++)
        {
            var slot = p * 16;
            var ponger = system.ActorOf(Props.Create(() => new Bouncer(counts, slot)), $"pong-{p}");
            var pinger = system.ActorOf(Props.Create(() => new Bouncer(counts, slot + 8)), $"ping-{p}");
            for (var i = 0; i < InFlight; i++)
                ponger.Tell(Ball.Instance, pinger);
        }
        var latency = new LatencyHistogram();
        var (actorMessages, actorSeconds, allocated) = Window(() => Sum(counts));
        system.Terminate().Wait(TimeSpan.FromSeconds(10));

        var channelCounts = new long[pairs * 16];
        using var cancel = new CancellationTokenSource();
        var tasks = new List<Task>();
        for (var p = 0; p < pairs; p++)
        {
            var a = Channel.CreateUnbounded<Ball>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var b = Channel.CreateUnbounded<Ball>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            for (var i = 0; i < InFlight; i++)
                a.Writer.TryWrite(Ball.Instance);
            tasks.Add(Bounce(a.Reader, b.Writer, channelCounts, p * 16, cancel.Token));
            tasks.Add(Bounce(b.Reader, a.Writer, channelCounts, p * 16 + 8, cancel.Token));
        }
        var (channelMessages, channelSeconds, _) = Window(() => Sum(channelCounts));
        cancel.Cancel();
        Task.WaitAll([.. tasks.Select(t => t.ContinueWith(_ => { }))]);

        var mpps = actorMessages / actorSeconds / 1e6;
        var result = Workload.Result("actor-pingpong", $"kernel, {pairs} pairs", 0, actorMessages, actorSeconds, allocated, latency,
            $"messages/s; {InFlight} in flight per pair; {Math.Round(mpps / Environment.ProcessorCount, 3)} M msg/s per core");
        return result with { P50Us = 0, P99Us = 0, P999Us = 0, BaselineMpps = Math.Round(channelMessages / channelSeconds / 1e6, 3), MppsPerCore = Math.Round(mpps / Environment.ProcessorCount, 3) };
    }

    /// <summary>
    /// A supervised simulated adapter under traffic: over <paramref name="trials"/> trials, the time from a surprise
    /// removal to every queue thread stopped and every buffer back in the pool, and from a D3 request to quiesced.
    /// </summary>
    public BenchResult DeviceEvents(int trials)
    {
        using var lab = new SoftNicLab(AdapterInfo.ConnectX3Pro("pd0", 0x02_00_00_00_00_02), Workload.Flows(1), ratePps: 200_000);
        var nic = lab.Adapter;
        using var pool = new BufferPool(8192);
        lab.Start();

        var system = ActorSystem.Create("device-events");
        var changes = Channel.CreateUnbounded<AdapterStateChanged>();
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new Forwarder(changes.Writer)), "listener"), typeof(AdapterStateChanged));
        var settings = new AdapterSettings("pd0", () => new SimulatedProvider(nic), nic, pool, CompiledFilterSet.Compile(Workload.Rules(1)), Queues: 2, QueueSize: 1024);
        system.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0");
        Await(changes.Reader, AdapterState.Running);

        var removal = new LatencyHistogram();
        var quiesce = new LatencyHistogram();
        for (var i = 0; i < trials; i++)
        {
            var start = Stopwatch.GetTimestamp();
            nic.Inject(DeviceEvent.SurpriseRemoval);
            var removed = Await(changes.Reader, AdapterState.Removed);
            removal.Record(Workload.NanosecondsSince(start));
            if (removed.FreeBuffers != removed.Buffers)
                throw new InvalidOperationException($"Trial {i}: {removed.Buffers - removed.FreeBuffers} buffers missing after removal.");
            nic.Inject(DeviceEvent.Arrival);
            Await(changes.Reader, AdapterState.Running);

            start = Stopwatch.GetTimestamp();
            nic.Inject(DeviceEvent.LowPower);
            var quiesced = Await(changes.Reader, AdapterState.Quiesced);
            quiesce.Record(Workload.NanosecondsSince(start));
            if (quiesced.FreeBuffers != quiesced.Buffers)
                throw new InvalidOperationException($"Trial {i}: {quiesced.Buffers - quiesced.FreeBuffers} buffers missing after D3.");
            nic.Inject(DeviceEvent.FullPower);
            Await(changes.Reader, AdapterState.Running);
        }

        lab.Stop();
        system.Terminate().Wait(TimeSpan.FromSeconds(10));
        static double Ms(LatencyHistogram h, double p) => Math.Round(h.Percentile(p) / 1e6, 3);
        return new BenchResult("device-events", "simulated+actors", 0, 0, 0, 0, 0, 0, trials, 0,
            Note: $"{trials} trials of surprise removal → all queues stopped and buffers home, and D3 → quiesced, under 200k pps")
        {
            RemovalP50Ms = Ms(removal, 50),
            RemovalP99Ms = Ms(removal, 99),
            QuiesceP50Ms = Ms(quiesce, 50),
            QuiesceP99Ms = Ms(quiesce, 99),
        };
    }

    /// <summary>
    /// Control latency and idle cost of a supervised simulated adapter's two queue actors idling by
    /// <paramref name="idle"/>. Latency: <paramref name="publishes"/> filter tables published through the adapter
    /// supervisor (on its own thread, as the node runs it), which forwards them to both queues; each publish comes
    /// after a random 1–5 ms pause so it meets the queues at every stage of their back-off, and is timed from the
    /// publish to the supervisor's <see cref="FiltersApplied"/>, stamped on the supervisor's thread when the later of
    /// the two queues' replies arrives. Loads: 0 pps, 200k pps (one flow per queue), full load (the line at full rate:
    /// every poll of both queues finds a full burst, with no generator thread, so the two queue threads fill the two
    /// cores as they would behind a real NIC) and oversubscribed (the generator as fast as it goes on a thread of its
    /// own: three busy threads on two cores, as information). CPU: the queue threads' CPU time per thread over a
    /// window at 0 pps and at 200k pps.
    /// </summary>
    public BenchResult ControlLatency(QueueIdle idle, int publishes)
    {
        const string ToQueue1 = "198.18.1.1";
        IReadOnlyList<FilterSpec> specs =
        [
            new FilterSpec { Id = "queue-1", Priority = 1, Queue = 1, Match = new() { ["sourceIp"] = ToQueue1 } },
            new FilterSpec { Id = "udp", Priority = 2, Match = new() { ["protocol"] = "udp" } },
        ];
        GeneratorFlow[] flows = [Workload.Flows(1)[0], Workload.Flows(1)[0] with { Source = ToQueue1 }];
        using var lab = new SoftNicLab(AdapterInfo.ConnectX3Pro("c", 0x02_00_00_00_00_03), flows);
        var nic = lab.Adapter;
        var generator = lab.Generator!;
        using var pool = new BufferPool(8192);
        var system = ActorSystem.Create("control-latency");
        var settings = new AdapterSettings("c", () => new SimulatedProvider(nic), nic, pool, CompiledFilterSet.Compile(specs), Queues: 2, QueueSize: 1024,
            DrainNotification: idle == QueueIdle.DrainNotification);
        // A one-letter adapter name keeps the queue threads' names ("pinned:/user/c/queue-N") apart from any other
        // thread's within the 15 bytes the kernel keeps.
        var adapter = system.ActorOf(AdapterSupervisor.PropsFor(settings), "c");
        var queues = AwaitQueues(settings.Telemetry, 2);
        var threads = ThreadCpu.Find($"pinned:{adapter.Path}/queue-", queues.Count);
        // Two sets compiled apart, told from each other and from the one the supervisor installed by reference.
        CompiledFilterSet[] tables = [CompiledFilterSet.Compile(specs), CompiledFilterSet.Compile(specs)];
        long Forwarded() => queues.Sum(q => q.Forwarded);

        Thread.Sleep(warmup);
        // Warm the publish path up (the JIT's tiers) before anything is recorded.
        Publish(adapter, queues, tables, 100);
        var idleCpu = threads?.PercentPerThread(window);
        var idleLatency = Publish(adapter, queues, tables, publishes);

        // The generator paces by frames sent since it was made: the paced run comes before the unpaced one.
        double? cpu200k = null;
        var pacedLatency = new LatencyHistogram();
        var paced = 0.0;
        WithTraffic(generator, 200_000, () =>
        {
            Thread.Sleep(warmup);
            var start = Forwarded();
            var clock = Stopwatch.StartNew();
            cpu200k = threads?.PercentPerThread(window);
            paced = (Forwarded() - start) / clock.Elapsed.TotalSeconds;
            pacedLatency = Publish(adapter, queues, tables, publishes);
        });

        // Full load: what the queues forward goes to the tester's port, which no one drains, so it costs them no copy.
        var (loadedLatency, forwarded, seconds) = (new LatencyHistogram(), 0L, 0.0);
        lab.StartLineRate();
        try
        {
            Thread.Sleep(warmup);
            var start = Forwarded();
            var clock = Stopwatch.StartNew();
            loadedLatency = Publish(adapter, queues, tables, publishes);
            (forwarded, seconds) = (Forwarded() - start, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            lab.StopLineRate();
        }

        var oversubscribedLatency = new LatencyHistogram();
        WithTraffic(generator, 0, () =>
        {
            Thread.Sleep(warmup);
            oversubscribedLatency = Publish(adapter, queues, tables, publishes);
        });

        system.Terminate().Wait(TimeSpan.FromSeconds(10));
        if (pool.FreeCount != pool.Capacity)
            throw new InvalidOperationException($"control-latency: {pool.Capacity - pool.FreeCount} buffers missing after the queues stopped.");
        static double Us(LatencyHistogram h, double p) => Math.Round(h.Percentile(p) / 1e3, 1);
        var name = idle == QueueIdle.DrainNotification ? "drain-notification" : "backoff";
        return new BenchResult("control-latency", name, 0, Math.Round(forwarded / seconds / 1e6, 3), 0, 0, 0, 0, forwarded, Math.Round(seconds, 2),
            Note: $"{publishes} publishes at each load, through the adapter supervisor to 2 queue actors; " +
                $"full load = the line at full rate into both queues (mpps), 200k pps paced (measured {paced / 1e3:0} kpps); " +
                $"CPU per queue thread{LoadAverage()}")
        {
            IdleP50Us = Us(idleLatency, 50),
            IdleP99Us = Us(idleLatency, 99),
            LoadedP50Us = Us(loadedLatency, 50),
            LoadedP99Us = Us(loadedLatency, 99),
            OversubscribedP50Us = Us(oversubscribedLatency, 50),
            OversubscribedP99Us = Us(oversubscribedLatency, 99),
            P50Us200Kpps = Us(pacedLatency, 50),
            P99Us200Kpps = Us(pacedLatency, 99),
            IdleCpuPercent = idleCpu,
            CpuPercent200Kpps = cpu200k,
        };
    }

    /// <summary>Publishes the tables in turn and times each from the publish to the last queue's swap.</summary>
    private static LatencyHistogram Publish(IActorRef adapter, IReadOnlyList<QueueTelemetry> queues, CompiledFilterSet[] tables, int publishes)
    {
        var latency = new LatencyHistogram();
        using var probe = new AppliedProbe();
        var random = new Random(publishes);
        for (var i = 0; i < publishes; i++)
        {
            Thread.Sleep(random.Next(1, 6));
            var table = tables[i % tables.Length];
            var message = new PublishFilters(table);
            probe.Arm();
            var start = Stopwatch.GetTimestamp();
            adapter.Tell(message, probe);
            var applied = probe.AwaitApplied(TimeSpan.FromSeconds(10));
            latency.Record((long)((applied - start) * (1e9 / Stopwatch.Frequency)));
            if (queues.Any(q => !ReferenceEquals(q.Filters?.Set, table)))
                throw new InvalidOperationException($"Publish {i}: a queue replied but does not use the new table.");
        }
        return latency;
    }

    /// <summary>The machine's 1-minute load average, as a note: what else ran shows in latencies (Linux only).</summary>
    private static string LoadAverage()
    {
        try
        {
            return $"; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Runs <paramref name="during"/> with the lab's generator sending at <paramref name="ratePps"/> (0: as fast as it goes) on a thread of its own.</summary>
    private static void WithTraffic(TrafficGenerator generator, long ratePps, Action during)
    {
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => generator.Run(stop.Token, ratePps: ratePps)) { Name = "generator", IsBackground = true };
        thread.Start();
        try
        {
            during();
        }
        finally
        {
            stop.Cancel();
            thread.Join();
        }
    }

    private static IReadOnlyList<QueueTelemetry> AwaitQueues(AdapterTelemetry telemetry, int count)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var queues = telemetry.Queues;
            if (telemetry.State == AdapterState.Running && queues.Count == count && queues.All(q => q.Filters is not null && q.Receive.Outstanding > 0))
                return queues;
            Thread.Sleep(1);
        }
        throw new InvalidOperationException($"The adapter did not run {count} queues within 10 s.");
    }

    private static AdapterStateChanged Await(ChannelReader<AdapterStateChanged> changes, AdapterState state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var change = changes.ReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
            if (change.State == state)
                return change;
        }
    }

    private (long Messages, double Seconds, long Allocated) Window(Func<long> count)
    {
        Thread.Sleep(warmup);
        var start = count();
        var allocated = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        Thread.Sleep(window);
        var seconds = clock.Elapsed.TotalSeconds;
        return (count() - start, seconds, GC.GetTotalAllocatedBytes(true) - allocated);
    }

    private static long Sum(long[] counts)
    {
        long total = 0;
        for (var i = 0; i < counts.Length; i += 8)
            total += Volatile.Read(ref counts[i]);
        return total;
    }

    private static async Task Bounce(ChannelReader<Ball> from, ChannelWriter<Ball> to, long[] counts, int slot, CancellationToken cancel)
    {
        while (await from.WaitToReadAsync(cancel))
        {
            while (from.TryRead(out var ball))
            {
                to.TryWrite(ball);
                Volatile.Write(ref counts[slot], counts[slot] + 1);
            }
        }
    }

    /// <summary>The message bounced back and forth.</summary>
    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    /// <summary>Returns every ball to its sender and counts it (in its own cache line of the shared array).</summary>
    private sealed class Bouncer(long[] counts, int slot) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            Sender.Tell(message, Self);
            Volatile.Write(ref counts[slot], counts[slot] + 1);
        }
    }

    /// <summary>
    /// The sender of a publish: the adapter supervisor tells it <see cref="FiltersApplied"/> once every queue has
    /// swapped its table (and the receive filters are set), synchronously on the supervisor's thread, so it stamps that
    /// moment rather than the publisher's wake-up, and then wakes the publisher.
    /// </summary>
    private sealed class AppliedProbe : IActorRef, IDisposable
    {
        // No spinning before it sleeps: a waiter that spins with sched_yield takes a core from the queue threads.
        private readonly ManualResetEventSlim _applied = new(false, spinCount: 0);
        private long _at;

        public string Path => "/bench/applied-probe";

        public void Arm() => _applied.Reset();

        public void Tell(object message, IActorRef? sender = null)
        {
            if (message is not FiltersApplied)
                return;
            Volatile.Write(ref _at, Stopwatch.GetTimestamp());
            _applied.Set();
        }

        /// <summary>Waits until the set was applied; returns when it was.</summary>
        public long AwaitApplied(TimeSpan timeout)
        {
            if (!_applied.Wait(timeout))
                throw new InvalidOperationException($"The published set was not applied within {timeout.TotalSeconds} s.");
            return Volatile.Read(ref _at);
        }

        public void Dispose() => _applied.Dispose();
    }

    /// <summary>Writes every message it gets to a channel.</summary>
    private sealed class Forwarder(ChannelWriter<AdapterStateChanged> writer) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is AdapterStateChanged change)
                writer.TryWrite(change);
        }
    }
}
