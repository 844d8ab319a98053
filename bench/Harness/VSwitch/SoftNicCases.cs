using System.Diagnostics;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// The switch on SoftNic, in this process: a tester on the external port's wire, or a VM, sends 64 UDP flows as fast
/// as it can to a VM; a case's figure is what the VM's port handed to the VM's interface, per second and per second of
/// CPU on the switch's own threads (the switch and its VM ports, from <c>/proc/self/task</c>), so the generators' CPU
/// is not counted.
/// </summary>
internal sealed class SoftNicCases(TimeSpan warmup, TimeSpan window)
{
    private const ulong AdapterMac = 0x02_00_00_00_00_10;
    private const ulong TesterMac = 0x02_00_00_00_00_01;
    private const ulong Vm1Mac = 0x00_15_5d_00_00_01;
    private const ulong Vm2Mac = 0x00_15_5d_00_00_02;
    private const int Flows = 64;
    private const long AsFastAsItGoes = 1_000_000_000;

    /// <summary>
    /// One window of <paramref name="path"/> (<c>ext-to-vm</c> or <c>vm-to-vm</c>) at <paramref name="rules"/> VFP rules
    /// per port (0: VFP off on the port): delivered Mpps, the switch threads' CPU % and Mpps per core of it.
    /// </summary>
    public VSwitchRow Run(string path, int rules)
    {
        using var pool = new BufferPool(16_384);
        var external = new SoftNic(AdapterInfo.ConnectX3Pro("eth", AdapterMac));
        var wire = new SoftNic(AdapterInfo.ConnectX3Pro("wire", TesterMac));
        Wire.Connect(wire, external);
        var policy = BenchPolicy.Make(rules);
        using var stop = new CancellationTokenSource();
        SimulatedVm? receiver = null;
        SimulatedVm? sender = null;
        Thread? testerThread = null;
        TrafficGenerator? tester = null;
        using (var sw = new BenchSwitch(new PdAdapter(external.Info, () => new SimulatedProvider(external), external), pool))
        {
            try
            {
                var flows = Enumerable.Range(0, Flows).Select(f => new GeneratorFlow(BenchPolicy.FlowSource(f, rules), "198.19.1.1", 17, (ushort)(10_000 + f),
                    BenchPolicy.DestinationPort, SourceMac: TesterMac, DestinationMac: Vm1Mac)).ToList();
                // vm1 only receives (rate 0: its generator sends nothing).
                receiver = new SimulatedVm(Spec("vm1", Vm1Mac, 1), flows, 0);
                var port = sw.Attach(Spec("vm1", Vm1Mac, 1), receiver, policy).Port;
                if (path == "ext-to-vm")
                {
                    tester = new TrafficGenerator(wire, flows);
                    testerThread = new Thread(() => tester.Run(stop.Token)) { Name = "tester", IsBackground = true };
                    testerThread.Start();
                }
                else
                {
                    sender = new SimulatedVm(Spec("vm2", Vm2Mac, 2), flows, AsFastAsItGoes);
                    sw.Attach(Spec("vm2", Vm2Mac, 2), sender, policy);
                }
                var cpu = ThreadCpu.Find(BenchSwitch.ThreadPrefix, sw.Threads) ?? throw new InvalidOperationException("no /proc/self/task: the switch's CPU cannot be measured here");
                Thread.Sleep(warmup);
                var (received, used, clock) = (port.Counters.Inbound, cpu.Used(), Stopwatch.StartNew());
                Thread.Sleep(window);
                var packets = port.Counters.Inbound - received;
                var cpuSeconds = (cpu.Used() - used).TotalSeconds;
                var seconds = clock.Elapsed.TotalSeconds;
                return new VSwitchRow(path, "softnic", "pd-vswitch", rules, 1, Math.Round(packets / seconds / 1e6, 4), SwitchThreads: sw.Threads,
                    SwitchCpuPct: Math.Round(cpuSeconds / seconds * 100, 1), MppsPerCore: cpuSeconds > 0 ? Math.Round(packets / cpuSeconds / 1e6, 4) : null);
            }
            finally
            {
                stop.Cancel();
                testerThread?.Join();
                tester?.Dispose();
            }
        }
    }

    /// <summary>
    /// Rule push to traffic allowed: the tester sends to vm1 (VFP on, no rules: blocked); each trial gives the port
    /// <paramref name="rules"/> rules (compiled into a VFP port on this thread, then handed to the port's gate) and
    /// times until vm1 has received a frame; then the rules go and the port is blocked again.
    /// </summary>
    public RulePushRow RulePush(int rules, int trials)
    {
        using var pool = new BufferPool(16_384);
        GeneratorFlow[] flow = [new("198.18.0.1", "198.19.1.1", 17, 10_000, BenchPolicy.DestinationPort, SourceMac: TesterMac, DestinationMac: Vm1Mac)];
        using var tester = new WireTester(AdapterMac, TesterMac, flow);
        using var sw = new BenchSwitch(tester.Adapter, pool);
        var vm = new SimulatedVm(Spec("vm1", Vm1Mac, 1), flow, 0);
        var port = sw.Attach(Spec("vm1", Vm1Mac, 1), vm, VfpPolicy.Empty).Port;
        BenchSwitch.SetRules(port, null);
        tester.Start();
        return RulePushRow.Of("ext-to-vm", "port-policy", Math.Max(rules, 2), RulePushTrials.Run(trials, () => vm.Received,
            () => BenchSwitch.SetRules(port, BenchPolicy.Make(Math.Max(rules, 2))), () => BenchSwitch.SetRules(port, null),
            () => $"inbound {port.Counters.Inbound}, blocked {port.Counters.InboundBlocked}, sent {tester.Sent}"));
    }

    private static VmSpec Spec(string vm, ulong mac, int portId) =>
        new(vm, mac, new PortIdentity(Guid.NewGuid().ToString("D").ToUpperInvariant(), "Network Adapter", "sw", portId, mac, vm, $"{vm}--nic"));
}
