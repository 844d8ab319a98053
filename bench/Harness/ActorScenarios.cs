using System.Diagnostics;
using System.Threading.Channels;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
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
