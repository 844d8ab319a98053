using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// A simulated ConnectX-3 Pro as a switch's external adapter, its wire ending at a tester that sends
/// its flows as fast as it goes on a thread of its own once started; Dispose stops the tester.
/// </summary>
internal sealed class WireTester : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TrafficGenerator _tester;
    private readonly Thread _thread;

    public WireTester(ulong adapterMac, ulong testerMac, IReadOnlyList<GeneratorFlow> flows)
    {
        var external = new SoftNic(AdapterInfo.ConnectX3Pro("eth", adapterMac));
        var wire = new SoftNic(AdapterInfo.ConnectX3Pro("wire", testerMac));
        Wire.Connect(wire, external);
        Adapter = new PdAdapter(external.Info, () => new SimulatedProvider(external), external);
        var tester = _tester = new TrafficGenerator(wire, flows);
        _thread = new Thread(() => tester.Run(_stop.Token)) { Name = "tester", IsBackground = true };
    }

    /// <summary>The external adapter, as a node would open it.</summary>
    public PdAdapter Adapter { get; }

    /// <summary>Frames the tester has sent.</summary>
    public long Sent => _tester.Sent;

    /// <summary>Starts the tester sending.</summary>
    public void Start() => _thread.Start();

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Cancel();
        if (_thread.IsAlive)
            _thread.Join();
        _tester.Dispose();
        _stop.Dispose();
    }
}
