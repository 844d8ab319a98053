using PdCluster.Nic.Adapters;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// The simulated adapters of one team and the peer that uses them: every member and one tester port joined by a
/// switch (<see cref="Wire.Switch"/>), the tester's generator sending each member's flows to that member's MAC. A
/// member that is removed stops receiving; once a survivor announces the member's addresses (gratuitous ARP out of a PD
/// transmit queue), the generator sends those flows to the survivor, as a peer host and its switch would.
/// </summary>
public sealed class SoftNicTeamLab : ILabTraffic, IDisposable
{
    private readonly long _ratePps;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    /// <summary>Builds the team; <paramref name="flows"/>[i] are the flows to <paramref name="members"/>[i]; <paramref name="ratePps"/> paces <see cref="Start"/> (0 = as fast as it goes).</summary>
    public SoftNicTeamLab(IReadOnlyList<AdapterInfo> members, IReadOnlyList<IReadOnlyList<GeneratorFlow>> flows, long ratePps = 0, ulong testerMac = SoftNicLab.DefaultTesterMac)
    {
        if (members.Count < 2 || flows.Count != members.Count)
            throw new ArgumentException("A team lab has two or more members and a list of flows for each.");
        _ratePps = ratePps;
        Members = [.. members.Select(m => new SoftNic(m))];
        Tester = new SoftNic(AdapterInfo.ConnectX3Pro("tester-team", testerMac));
        Wire = Wire.Switch([Tester, .. Members]);
        Generator = new TrafficGenerator(Tester, [.. flows.SelectMany((list, i) => list.Select(f => f with { SourceMac = testerMac, DestinationMac = f.DestinationMacOverride ?? members[i].Mac }))]);
    }

    /// <summary>The team's adapters under test, in the order given.</summary>
    public IReadOnlyList<SoftNic> Members { get; }

    /// <summary>The peer's port.</summary>
    public SoftNic Tester { get; }

    /// <summary>The switch joining the tester and the members.</summary>
    public Wire Wire { get; }

    /// <summary>The peer's generator; use it from one thread only, and not after <see cref="Start"/>.</summary>
    public TrafficGenerator Generator { get; }

    /// <inheritdoc/>
    public long Sent => Generator.Sent;

    /// <inheritdoc/>
    public long Returned => Generator.Received;

    /// <inheritdoc/>
    public double LatencyMicroseconds(double percentile) => Generator.Latency.Percentile(percentile) / 1000.0;

    /// <inheritdoc/>
    public void Start()
    {
        if (_thread is not null)
            return;
        var generator = Generator;
        var token = _stop.Token;
        _thread = new Thread(() => generator.Run(token, ratePps: _ratePps)) { Name = "generator-team", IsBackground = true };
        _thread.Start();
    }

    /// <inheritdoc/>
    public void Stop()
    {
        _stop.Cancel();
        if (_thread is { IsAlive: true } thread && thread != Thread.CurrentThread)
            thread.Join();
    }

    /// <summary>Stops the traffic and gives the tester's buffers back.</summary>
    public void Dispose()
    {
        Stop();
        Generator.Dispose();
        _stop.Dispose();
    }
}
