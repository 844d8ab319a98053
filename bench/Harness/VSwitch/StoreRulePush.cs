using System.Collections.Concurrent;
using System.Diagnostics;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Vfp;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// Rule push to traffic allowed through the cluster store, as <c>pd vfp rule add</c> goes: the rule written by
/// <see cref="VSwitchCatalog"/> to an <see cref="InMemoryStore"/>, the node's <see cref="VSwitchAgent"/> watching it
/// and putting the port's new policy in force, the switch on SoftNic in this process. The switch, VFP on it, and
/// VM vm1 (its port blocked: VFP on, no rules) are records too; a tester on the external port's wire sends to vm1.
/// Each trial times from the rule's write until vm1 has received a frame, then removes the rule (blocked again).
/// </summary>
internal static class StoreRulePush
{
    private const ulong AdapterMac = 0x02_00_00_00_00_10;
    private const ulong TesterMac = 0x02_00_00_00_00_01;
    private const string Vm1Mac = "00:15:5d:00:00:01";

    private static readonly VfpRule Allow = VfpRule.Read($$"""
        {"schemaVersion":1,"id":"allow-{{BenchPolicy.DestinationPort}}","layer":"acl","group":"in","direction":"inbound",
         "match":{"protocol":"udp","destinationPort":"{{BenchPolicy.DestinationPort}}"},"action":"allow"}
        """, "the bench's rule");

    public static RulePushRow Run(int trials)
    {
        using var pool = new BufferPool(16_384);
        var external = new SoftNic(AdapterInfo.ConnectX3Pro("eth", AdapterMac));
        var wire = new SoftNic(AdapterInfo.ConnectX3Pro("wire", TesterMac));
        Wire.Connect(wire, external);
        AdapterInfo.TryParseMac(Vm1Mac, out var vmMac);
        GeneratorFlow[] flow = [new("198.18.0.1", "198.19.1.1", 17, 10_000, BenchPolicy.DestinationPort, SourceMac: TesterMac, DestinationMac: vmMac)];
        var vms = new ReceivingVms(flow);
        var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "bench");
        var system = ActorSystem.Create("vswitch-store-bench");
        var adapter = new PdAdapter(external.Info, () => new SimulatedProvider(external), external);
        system.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(store, "bench", _ => new SwitchSettings("sw", adapter, pool, vms)) { Node = "bench" }), "vswitches");
        using var stop = new CancellationTokenSource();
        var tester = new TrafficGenerator(wire, flow);
        var testerThread = new Thread(() => tester.Run(stop.Token)) { Name = "tester", IsBackground = true };
        var samples = new List<double>(trials);
        try
        {
            catalog.CreateSwitchAsync("sw", "eth", false, default).GetAwaiter().GetResult();
            catalog.EnableExtensionAsync("sw", VSwitchCatalog.Vfp, default).GetAwaiter().GetResult();
            catalog.AddAdapterAsync("vm1", "sw", Vm1Mac, default).GetAwaiter().GetResult();
            catalog.SetRunningAsync("vm1", true, default).GetAwaiter().GetResult();
            var port = catalog.ListPortsAsync(default).GetAwaiter().GetResult().Single(p => p.VmName == "vm1").PortName;
            var vm = vms.Await("vm1", TimeSpan.FromSeconds(10));
            testerThread.Start();
            for (var trial = 0; trial < trials; trial++)
            {
                // Blocked until nothing more arrives (the rule's removal reaches the port through the store too).
                long seen;
                do
                {
                    seen = vm.Received;
                    Thread.Sleep(10);
                }
                while (vm.Received != seen);
                var clock = Stopwatch.StartNew();
                catalog.AddRuleAsync(port, Allow, default).GetAwaiter().GetResult();
                while (vm.Received == seen)
                {
                    if (clock.Elapsed > TimeSpan.FromSeconds(10))
                        throw new TimeoutException($"vm1's port let nothing through within 10 s of its rule written to the store (tester sent {tester.Sent})");
                    Thread.SpinWait(20);
                }
                samples.Add(clock.Elapsed.TotalMicroseconds);
                catalog.RemoveRuleAsync(port, Allow.Id, default).GetAwaiter().GetResult();
            }
        }
        finally
        {
            stop.Cancel();
            if (testerThread.IsAlive)
                testerThread.Join();
            tester.Dispose();
            system.Terminate().GetAwaiter().GetResult();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return RulePushRow.Of("ext-to-vm", "cluster-store", 1, samples);
    }

    /// <summary>The switch's VMs: simulated ones that only receive, kept by name so the bench reads what each received.</summary>
    private sealed class ReceivingVms(IReadOnlyList<GeneratorFlow> flows) : IVmHost
    {
        private readonly ConcurrentDictionary<string, SimulatedVm> _started = new(StringComparer.Ordinal);

        public IVm Start(VmSpec spec) => _started[spec.Name] = new SimulatedVm(spec, flows, 0);

        /// <summary>VM <paramref name="name"/> once the switch has started it.</summary>
        public SimulatedVm Await(string name, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            SimulatedVm? vm;
            while (!_started.TryGetValue(name, out vm))
            {
                if (clock.Elapsed > timeout)
                    throw new TimeoutException($"the node did not start {name} from its record within {timeout.TotalSeconds:0} s");
                Thread.Sleep(5);
            }
            return vm;
        }
    }
}
