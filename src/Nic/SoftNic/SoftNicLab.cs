using PdCluster.Nic.Adapters;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// A simulated adapter as tests, benchmarks and the node build it: the SoftNic under test wired to a tester port whose
/// <see cref="TrafficGenerator"/> sends the given flows (their MACs set to the two ports') and sinks what comes back,
/// paced on a thread of its own by <see cref="Start"/> or driven by the caller through <see cref="Generator"/>.
/// With no flows there is no tester port: the adapter stands alone.
/// </summary>
public sealed class SoftNicLab : ILabTraffic, IDisposable
{
    /// <summary>The tester port's MAC unless told otherwise.</summary>
    public const ulong DefaultTesterMac = 0x02_00_00_00_00_01;

    private readonly long _ratePps;
    private readonly GeneratorFlow[] _flows = [];
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    /// <summary>Builds the lab; <paramref name="ratePps"/> paces <see cref="Start"/> (0 = as fast as the generator goes).</summary>
    public SoftNicLab(AdapterInfo adapter, IReadOnlyList<GeneratorFlow> flows, long ratePps = 0, ulong testerMac = DefaultTesterMac, WireFaults? faults = null)
    {
        Adapter = new SoftNic(adapter);
        _ratePps = ratePps;
        if (flows.Count == 0)
            return;
        _flows = [.. flows.Select(f => f with { SourceMac = testerMac, DestinationMac = f.DestinationMacOverride ?? adapter.Mac })];
        Tester = new SoftNic(AdapterInfo.ConnectX3Pro($"tester-{adapter.Name}", testerMac));
        Wire = Wire.Connect(Tester, Adapter, faults);
        Generator = new TrafficGenerator(Tester, _flows);
    }

    /// <summary>The adapter under test.</summary>
    public SoftNic Adapter { get; }

    /// <summary>The tester's port, if the lab has flows.</summary>
    public SoftNic? Tester { get; }

    /// <summary>The wire between tester and adapter, if the lab has flows.</summary>
    public Wire? Wire { get; }

    /// <summary>The tester's generator, if the lab has flows; use it from one thread only, and not after <see cref="Start"/>.</summary>
    public TrafficGenerator? Generator { get; }

    /// <inheritdoc/>
    public long Sent => Generator?.Sent ?? 0;

    /// <inheritdoc/>
    public long Returned => Generator?.Received ?? 0;

    /// <inheritdoc/>
    public double LatencyMicroseconds(double percentile) => Generator is null ? 0 : Generator.Latency.Percentile(percentile) / 1000.0;

    /// <inheritdoc/>
    public void Start()
    {
        if (Generator is null || _thread is not null)
            return;
        var generator = Generator;
        var token = _stop.Token;
        _thread = new Thread(() => generator.Run(token, ratePps: _ratePps)) { Name = $"generator-{Adapter.Info.Name}", IsBackground = true };
        _thread.Start();
    }

    /// <inheritdoc/>
    public void Stop()
    {
        _stop.Cancel();
        if (_thread is { IsAlive: true } thread && thread != Thread.CurrentThread)
            thread.Join();
    }

    /// <summary>
    /// Puts the lab's flows on the line at full rate with no generator thread: every poll of the adapter's receive
    /// queues fills what it can drain (<see cref="LineRateSource"/>), until <see cref="StopLineRate"/>.
    /// </summary>
    public void StartLineRate()
    {
        if (_flows.Length == 0)
            throw new InvalidOperationException("A lab with no flows has nothing to put on the line.");
        Adapter.LineRate = new LineRateSource(_flows);
    }

    /// <summary>Takes the flows off the line.</summary>
    public void StopLineRate() => Adapter.LineRate = null;

    /// <summary>Stops the traffic and gives the tester's buffers back.</summary>
    public void Dispose()
    {
        Stop();
        Generator?.Dispose();
        _stop.Dispose();
    }
}
