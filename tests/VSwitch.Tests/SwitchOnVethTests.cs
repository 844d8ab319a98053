using PdCluster.Actors.Kernel;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Veth;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// The switch on real veth: the external port is a veth end (afpacket) whose peer namespace is the wire, and each VM a
/// network namespace whose eth0 has the static MAC. A VM pings the peer across the switch; VFP blocks it, disable-port
/// lets it through, a reboot blocks it again, rules let it through as they say, and a stop removes the namespace.
/// </summary>
public sealed class SwitchOnVethTests
{
    private const ulong VmMac = 0x00_15_5d_00_00_01;

    [VethFact]
    public async Task A_vm_namespace_pings_the_wire_through_the_switch_as_vfp_and_its_port_state_say()
    {
        HostPrerequisite.Require();
        using var pair = new VethPair();
        pair.ForgetNeighbours();
        using var pool = new BufferPool(4096, checkedMode: true);
        var system = ActorSystem.Create("vswitch-veth");
        using var external = PdProviderRegistry.Default.Get("afpacket").Bind(new PdAdapterOptions(pair.DeviceInterface, PdRequirements.Default,
            AfPacket: new AfPacketAdapterOptions(pair.DeviceInterface, pair.DeviceNamespace)));
        var host = new NamespaceVmHost(pair.DeviceNamespace, spec => $"198.18.1.{10 + spec.Port.PortId}/15");
        var vfp = new VfpPorts();
        var sw = system.ActorOf(SwitchSupervisor.Props(new SwitchSettings("sw", external, pool, host) { QueueSize = 512, VfpPorts = vfp }), "vswitch-sw");
        var vm = $"t{Environment.ProcessId % 100000}";
        var spec = SwitchLab.Spec(vm, VmMac, 1);
        try
        {
            Assert.IsType<VmStarted>(await sw.Ask<object>(new StartVm(spec), TimeSpan.FromSeconds(20)));
            var link = VethPair.Run("ip", $"-n pdvm-{vm} -o link show dev eth0").Output;
            Assert.Contains("link/ether 00:15:5d:00:00:01", link);
            Assert.True(Ping(vm), "the VM does not reach the wire with VFP off");

            sw.Tell(new SetVfpExtension(true));
            Assert.False(Ping(vm), "a port with no rules lets traffic through");
            sw.Tell(new SetPortDisabled(spec.Port.PortName, true));
            Assert.True(Ping(vm), "the disabled port does not let traffic through");

            await sw.Ask<VmStopped>(new StopVm(vm), TimeSpan.FromSeconds(20));
            Assert.DoesNotContain($"pdvm-{vm}", VethPair.Run("ip", "netns list").Output);
            Assert.IsType<VmStarted>(await sw.Ask<object>(new StartVm(spec), TimeSpan.FromSeconds(20)));
            Assert.False(Ping(vm), "the rebooted VM's port is not blocked again");
            Assert.True((await sw.Ask<SwitchStatus>(new GetSwitchStatus(), TimeSpan.FromSeconds(10))).Ports.Single() is { Blocked: true, OutboundBlocked: > 0 });

            // Rules: inbound, UDP blocked and the rest (ICMP, ARP) allowed; outbound everything. The ping flows.
            List<VfpRule> rules =
            [
                VfpRulesThroughTheStoreTests.Rule("no-udp", "acl", "in", "inbound", """{"protocol":"udp"}""", "block"),
                VfpRulesThroughTheStoreTests.Rule("in-rest", "acl", "in", "inbound", null, "allow", priority: 10),
                VfpRulesThroughTheStoreTests.Rule("out", "acl", "out", "outbound", null, "allow"),
            ];
            vfp.For(spec.Port.PortName).Apply(VfpPolicy.FromRules(rules));
            Assert.True(Ping(vm), "the rules do not let the ping through");
            vfp.For(spec.Port.PortName).Apply(VfpPolicy.FromRules([VfpRulesThroughTheStoreTests.Rule("no-icmp", "acl", "in", "inbound", """{"protocol":"icmp"}""", "block"), .. rules]));
            Assert.False(Ping(vm), "a rule blocking ICMP inbound lets the ping's replies through");
            Assert.True(vfp.Find(spec.Port.PortName)!.Snapshot().Rules.Single(r => r.Rule == "no-icmp").Counters.BlockedPackets > 0);
        }
        finally
        {
            await sw.GracefulStop(TimeSpan.FromSeconds(20));
            await system.Terminate();
        }
        Assert.DoesNotContain($"pdvm-{vm}", VethPair.Run("ip", "netns list").Output);
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }

    private static bool Ping(string vm) => VethPair.Run("ip", $"netns exec pdvm-{vm} ping -c 3 -i 0.2 -W 1 198.18.0.1").Code == 0;
}
