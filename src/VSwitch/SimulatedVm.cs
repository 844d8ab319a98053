using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM on SoftNic: the VM's interface is a simulated port wired to the switch's side, and a traffic generator in the VM
/// sends its flows from the static MAC (paced on a thread of its own) and counts the stamped frames it receives.
/// </summary>
public sealed class SimulatedVm : IVm
{
    private readonly SoftNic _vmNic;
    private readonly SoftNic _switchSide;
    private readonly TrafficGenerator _generator;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    /// <summary>Starts the VM; it sends <paramref name="flows"/> at <paramref name="ratePps"/> frames per second in all (0: none).</summary>
    public SimulatedVm(VmSpec spec, IReadOnlyList<GeneratorFlow> flows, long ratePps)
    {
        Name = spec.Name;
        _vmNic = new SoftNic(AdapterInfo.ConnectX3Pro(spec.Name, spec.Mac));
        _switchSide = new SoftNic(AdapterInfo.ConnectX3Pro($"vmport-{spec.Name}", spec.Mac));
        Wire.Connect(_vmNic, _switchSide);
        _generator = new TrafficGenerator(_vmNic, [.. flows.Select(f => f with { SourceMac = spec.Mac })]);
        var token = _stop.Token;
        _thread = new Thread(() =>
        {
            if (ratePps > 0)
                _generator.Run(token, ratePps: ratePps);
            else
                while (!token.IsCancellationRequested)
                {
                    if (_generator.Receive() == 0)
                        Thread.Sleep(1);
                }
        }) { Name = $"vm-{spec.Name}", IsBackground = true };
        _thread.Start();
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Frames the VM sent.</summary>
    public long Sent => _generator.Sent;

    /// <summary>Stamped frames the VM received.</summary>
    public long Received => _generator.Received;

    /// <inheritdoc/>
    public IReadOnlyList<string> PortProviders { get; } = ["simulated"];

    /// <inheritdoc/>
    public IPdProvider OpenPort(string provider) => new SimulatedProvider(_switchSide);

    /// <summary>Crashes the VM as its switch port sees it: its interface goes away under the port.</summary>
    public void Crash() => _switchSide.Inject(DeviceEvent.SurpriseRemoval);

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _generator.Dispose();
        _stop.Dispose();
    }
}
