using System.Collections.Concurrent;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// A switch on a simulated ConnectX-3 Pro whose wire ends at a tester sending to the VMs' MACs, VMs on SoftNic that send
/// to the tester, a checked pool, and the actor system the switch runs in. With a team, a second adapter (<see cref="Standby"/>)
/// whose wire ends at a tester of its own sending the same flows is the external adapter's team survivor. Dispose stops
/// everything and checks that every buffer came home.
/// </summary>
internal sealed class SwitchLab : IVmHost, IAsyncDisposable
{
    public const ulong Vm1Mac = 0x00_15_5d_00_00_01;
    public const ulong Vm2Mac = 0x00_15_5d_00_00_02;
    public const ulong AdapterMac = 0x02_00_00_00_00_10;
    public const ulong TesterMac = 0x02_00_00_00_00_01;
    public const ulong StandbyMac = 0x02_00_00_00_00_11;
    public const ulong StandbyTesterMac = 0x02_00_00_00_00_02;
    private readonly ConcurrentDictionary<string, SimulatedVm> _vms = new();
    private readonly TrafficGenerator _tester;
    private readonly TrafficGenerator? _standbyTester;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _wires = [];
    private readonly ActorSystem _system = ActorSystem.Create("vswitch-test");
    private readonly long _vmRate;

    public SwitchLab(IReadOnlyList<ulong> vmMacs, bool allowManagementOs = false, long rate = 5_000, long vmRate = 2_000, ulong? strayMac = null, bool startSwitch = true, bool team = false)
    {
        _vmRate = vmRate;
        Pool = new BufferPool(8192, checkedMode: true);
        External = new SoftNic(AdapterInfo.ConnectX3Pro("eth", AdapterMac));
        var tester = new SoftNic(AdapterInfo.ConnectX3Pro("wire", TesterMac));
        Wire.Connect(tester, External);
        var flows = vmMacs.Select((mac, i) => new GeneratorFlow("198.18.0.1", $"198.18.1.{10 + i}", 17, 4000, 5000, SourceMac: TesterMac, DestinationMac: mac)).ToList();
        if (strayMac is { } stray)
            flows.Add(new GeneratorFlow("198.18.0.1", "198.18.1.99", 17, 4000, 5001, SourceMac: TesterMac, DestinationMac: stray));
        _tester = new TrafficGenerator(tester, flows);
        Run(_tester, rate);
        var adapter = new PdAdapter(External.Info, () => new SimulatedProvider(External), External);
        Settings = new SwitchSettings("sw", adapter, Pool, this, allowManagementOs);
        if (team)
        {
            Standby = new SoftNic(AdapterInfo.ConnectX3Pro("eth-b", StandbyMac));
            var standbyTester = new SoftNic(AdapterInfo.ConnectX3Pro("wire-b", StandbyTesterMac));
            Wire.Connect(standbyTester, Standby);
            _standbyTester = new TrafficGenerator(standbyTester, flows);
            Run(_standbyTester, rate);
            Settings = Settings with { Standby = [new PdAdapter(Standby.Info, () => new SimulatedProvider(Standby), Standby)] };
        }
        if (startSwitch)
            Switch = _system.ActorOf(SwitchSupervisor.Props(Settings), "vswitch-sw");
    }

    public BufferPool Pool { get; }

    public SoftNic External { get; }

    /// <summary>The external adapter's team survivor, with a team.</summary>
    public SoftNic? Standby { get; }

    /// <summary>Stamped frames the standby's tester got from the VMs.</summary>
    public long StandbyTesterReceived => _standbyTester?.Received ?? 0;

    public IActorRef Switch { get; } = null!;

    public SwitchSettings Settings { get; }

    public ActorSystem System => _system;

    /// <summary>Stamped frames the tester got back from the VMs.</summary>
    public long TesterReceived => _tester.Received;

    private void Run(TrafficGenerator tester, long rate)
    {
        var token = _stop.Token;
        var wire = new Thread(() => tester.Run(token, ratePps: rate)) { Name = "tester", IsBackground = true };
        wire.Start();
        _wires.Add(wire);
    }

    public SimulatedVm Vm(string name) => _vms[name];

    public bool Runs(string name) => _vms.ContainsKey(name);

    public IVm Start(VmSpec spec)
    {
        var vm = new SimulatedVm(spec, [new GeneratorFlow($"198.18.1.{spec.Port.PortId}", "198.18.0.1", 17, 5000, 4000, DestinationMac: TesterMac)], _vmRate);
        _vms[spec.Name] = vm;
        return vm;
    }

    public static VmSpec Spec(string vm, ulong mac, int portId) =>
        new(vm, mac, new PortIdentity($"{Guid.NewGuid():D}".ToUpperInvariant(), "Network Adapter", "sw", portId, mac, vm, $"{vm}--nic"));

    public async Task<T> Ask<T>(object message) => await Switch.Ask<T>(message, TimeSpan.FromSeconds(10));

    public Task<SwitchStatus> Status() => Ask<SwitchStatus>(new GetSwitchStatus());

    /// <summary>The status of switch <paramref name="sw"/> (a switch outside a lab).</summary>
    public static async Task<SwitchStatus> StatusOf(IActorRef sw) => await sw.Ask<SwitchStatus>(new GetSwitchStatus(), TimeSpan.FromSeconds(10));

    /// <summary>Waits until <paramref name="condition"/> holds (20 s at most).</summary>
    public static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Switch is not null)
            await Switch.GracefulStop(TimeSpan.FromSeconds(20));
        await _system.Terminate();
        _stop.Cancel();
        foreach (var wire in _wires)
            wire.Join();
        _tester.Dispose();
        _standbyTester?.Dispose();
        _stop.Dispose();
        Assert.Equal(Pool.Capacity, Pool.FreeCount);
        Pool.Dispose();
    }
}
