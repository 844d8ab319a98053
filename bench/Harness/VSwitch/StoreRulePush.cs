using System.Collections.Concurrent;
using System.Diagnostics;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
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
/// Each trial times from the rule's write until vm1 has received a frame, then removes the rule (blocked again) the same way.
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
        AdapterInfo.TryParseMac(Vm1Mac, out var vmMac);
        GeneratorFlow[] flow = [new("198.18.0.1", "198.19.1.1", 17, 10_000, BenchPolicy.DestinationPort, SourceMac: TesterMac, DestinationMac: vmMac)];
        using var tester = new WireTester(AdapterMac, TesterMac, flow);
        var vms = new ReceivingVms(flow);
        var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "bench");
        var system = ActorSystem.Create("vswitch-store-bench");
        system.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(store, "bench", _ => new SwitchSettings("sw", tester.Adapter, pool, vms)) { Node = "bench" }), "vswitches");
        try
        {
            catalog.CreateSwitchAsync("sw", "eth", false, default).GetAwaiter().GetResult();
            catalog.EnableExtensionAsync("sw", VSwitchCatalog.Vfp, default).GetAwaiter().GetResult();
            catalog.AddAdapterAsync("vm1", "sw", Vm1Mac, default).GetAwaiter().GetResult();
            catalog.SetRunningAsync("vm1", true, default).GetAwaiter().GetResult();
            var port = catalog.ListPortsAsync(default).GetAwaiter().GetResult().Single(p => p.VmName == "vm1").PortName;
            var vm = vms.Await("vm1", TimeSpan.FromSeconds(10));
            tester.Start();
            return RulePushRow.Of("ext-to-vm", "cluster-store", 1, RulePushTrials.Run(trials, () => vm.Received,
                () => catalog.AddRuleAsync(port, Allow, default).GetAwaiter().GetResult(), () => catalog.RemoveRuleAsync(port, Allow.Id, default).GetAwaiter().GetResult(),
                () => $"the rule written to the store; tester sent {tester.Sent}"));
        }
        finally
        {
            system.Terminate().GetAwaiter().GetResult();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
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
