using System.Collections.Concurrent;
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
/// network namespace whose eth0 has the static MAC, its port the host end of the VM's veth on AF_XDP (afpacket where
/// AF_XDP does not open, which the port's status and the log say). A VM pings the peer across the switch; VFP blocks
/// it, disable-port lets it through, a reboot blocks it again, rules let it through as they say, and a stop removes the namespace. An
/// <c>ip link del</c> of the external interface stops the VM's traffic and the switch says so; the interface added again
/// carries it once more, the port's rules, counters and verdicts as before.
/// </summary>
public sealed class SwitchOnVethTests
{
    private const ulong VmMac = 0x00_15_5d_00_00_01;

    [VethFact]
    public Task A_vm_namespace_pings_the_wire_through_the_switch_as_vfp_and_its_port_state_say() => WithSwitch("t", async run =>
    {
        var (pair, _, sw, vfp, vm, spec, _) = run;
        await Start(sw, spec);
        var link = VethPair.Run("ip", $"-n pdvm-{vm} -o link show dev eth0").Output;
        Assert.Contains("link/ether 00:15:5d:00:00:01", link);
        Assert.True((await Status(sw)).Ports.Single() is { Provider: "afxdp", ProviderFallback: null }, "the VM's port did not open on AF_XDP");
        Assert.Contains("prog/xdp", HostEnd(pair, vm));
        Assert.True(Ping(vm), "the VM does not reach the wire with VFP off");

        sw.Tell(new SetVfpExtension(true));
        Assert.False(Ping(vm), "a port with no rules lets traffic through");
        sw.Tell(new SetPortDisabled(spec.Port.PortName, true));
        Assert.True(Ping(vm), "the disabled port does not let traffic through");

        await sw.Ask<VmStopped>(new StopVm(vm), TimeSpan.FromSeconds(20));
        Assert.DoesNotContain($"pdvm-{vm}", VethPair.Run("ip", "netns list").Output);
        await Start(sw, spec);
        Assert.Equal("afxdp", (await Status(sw)).Ports.Single().Provider);
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
    });

    [VethFact]
    public Task Ip_link_del_of_the_external_interface_stops_the_vms_traffic_and_its_return_restores_it_with_the_ports_vfp_state() => WithSwitch("r", vfpEnabled: true, body: async run =>
    {
        var (pair, external, sw, vfp, vm, spec, _) = run;
        // Inbound: UDP blocked, the rest (ICMP, ARP) allowed; outbound everything. The ping flows as the rules say.
        vfp.For(spec.Port.PortName).Apply(VfpPolicy.FromRules(
        [
            VfpRulesThroughTheStoreTests.Rule("no-udp", "acl", "in", "inbound", """{"protocol":"udp"}""", "block"),
            VfpRulesThroughTheStoreTests.Rule("in-rest", "acl", "in", "inbound", null, "allow", priority: 10),
            VfpRulesThroughTheStoreTests.Rule("out", "acl", "out", "outbound", null, "allow"),
        ]));
        await Start(sw, spec);
        Assert.True(Ping(vm), "the VM does not reach the wire through its rules");
        Assert.Equal(external.Info.Name, (await Status(sw)).ExternalAdapter);
        var allowed = Allowed(vfp, spec);

        pair.DeleteDevice();
        await SwitchLab.Until(async () => (await Status(sw)) is { AdapterFailure: not null, ExternalAdapter: null }, "the switch reporting its external port down");
        Assert.Contains($"its adapter {external.Info.Name} was surprise-removed; the traffic of VM(s) {vm} stopped", (await Status(sw)).AdapterFailure);
        Assert.False(Ping(vm, count: 1), "the VM reaches a wire that is gone");
        Assert.True((await Status(sw)).Ports.Single() is { Initialized: true, RuleCount: 3, Disabled: false });

        pair.AddLink();
        await SwitchLab.Until(async () => (await Status(sw)) is { AdapterFailure: null, ExternalReopens: 1 } s && s.ExternalAdapter == external.Info.Name,
            "the external port reopened on the interface added again");
        Assert.True(Ping(vm), "the VM does not reach the wire once the interface is back");
        Assert.True(Allowed(vfp, spec) > allowed, "the port's rule counters did not count on from where they were");
        Assert.Equal(3, vfp.Find(spec.Port.PortName)!.Policy.Rules.Count);
        VethPair.Run("ip", $"netns exec {pair.PeerNamespace} bash -c \"echo x > /dev/udp/198.18.1.11/9\"");
        await SwitchLab.Until(() => Task.FromResult(vfp.Find(spec.Port.PortName)!.Snapshot().Rules.Single(r => r.Rule == "no-udp").Counters.BlockedPackets > 0),
            "the UDP rule blocking the peer's datagram after the reopen");
    });

    [VethFact]
    public Task A_vm_port_whose_interface_refuses_af_xdp_opens_on_afpacket_and_says_why() => WithSwitch("f", vmHost: pair => new XdpSlotTakenHost(pair), body: async run =>
    {
        var (_, _, sw, _, vm, spec, errors) = run;
        await Start(sw, spec);
        var port = (await Status(sw)).Ports.Single();
        Assert.Equal("afpacket", port.Provider);
        Assert.StartsWith("afxdp did not open (Attaching the XDP program to pdv", port.ProviderFallback);
        Assert.Contains("another XDP program", port.ProviderFallback);
        await SwitchLab.Until(() => Task.FromResult(errors.Any(e => e.Message == $"switch sw: the port of VM {vm} runs on afpacket: {port.ProviderFallback}.")),
            "the switch logging the fallback");
        Assert.True(Ping(vm), "the VM does not reach the wire through its afpacket port");
    });

    /// <summary>
    /// Runs <paramref name="body"/> against a switch on a fresh pair whose VM is <paramref name="vmPrefix"/> and the pid
    /// (its VMs started by <paramref name="vmHost"/>, <see cref="VmHost"/> unless given), the switch's errors collected;
    /// then stops the switch and checks that the VM's namespace is gone and every buffer came home.
    /// </summary>
    private static async Task WithSwitch(string vmPrefix, Func<SwitchRun, Task> body, bool vfpEnabled = false, Func<VethPair, IVmHost>? vmHost = null)
    {
        HostPrerequisite.Require();
        using var pair = new VethPair();
        pair.ForgetNeighbours();
        using var pool = new BufferPool(4096, checkedMode: true);
        var system = ActorSystem.Create($"vswitch-veth-{vmPrefix}");
        var errors = new ConcurrentQueue<ActorError>();
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new ErrorCollector(errors)), "errors"), typeof(ActorError));
        var vfp = new VfpPorts();
        var (external, sw) = StartSwitch(system, pair, pool, vfp, vfpEnabled, vmHost?.Invoke(pair));
        using var _ = external;
        var vm = $"{vmPrefix}{Environment.ProcessId % 100000}";
        try
        {
            await body(new SwitchRun(pair, external, sw, vfp, vm, SwitchLab.Spec(vm, VmMac, 1), errors));
        }
        finally
        {
            await sw.GracefulStop(TimeSpan.FromSeconds(20));
            await system.Terminate();
        }
        Assert.DoesNotContain($"pdvm-{vm}", VethPair.Run("ip", "netns list").Output);
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }

    /// <summary>What a test body gets from <see cref="WithSwitch"/>.</summary>
    private sealed record SwitchRun(VethPair Pair, PdAdapter External, IActorRef Switch, VfpPorts Vfp, string Vm, VmSpec Spec, ConcurrentQueue<ActorError> Errors);

    /// <summary>A switch whose external port is the pair's device end (afpacket) and whose VMs are namespaces beside it (<see cref="VmHost"/>, unless <paramref name="vmHost"/>).</summary>
    private static (PdAdapter External, IActorRef Switch) StartSwitch(ActorSystem system, VethPair pair, BufferPool pool, VfpPorts vfp, bool vfpEnabled = false, IVmHost? vmHost = null)
    {
        var external = PdProviderRegistry.Default.Get("afpacket").Bind(new PdAdapterOptions(pair.DeviceInterface, PdRequirements.Default,
            AfPacket: new AfPacketAdapterOptions(pair.DeviceInterface, pair.DeviceNamespace)));
        var settings = new SwitchSettings("sw", external, pool, vmHost ?? VmHost(pair), VfpEnabled: vfpEnabled) { QueueSize = 512, VfpPorts = vfp };
        return (external, system.ActorOf(SwitchSupervisor.Props(settings), "vswitch-sw"));
    }

    /// <summary>VMs as namespaces beside the pair's device end, at 198.18.1.(10 + port id).</summary>
    private static NamespaceVmHost VmHost(VethPair pair) => new(pair.DeviceNamespace, spec => $"198.18.1.{10 + spec.Port.PortId}/15");

    /// <summary>The host end of <paramref name="vm"/>'s veth, as <c>ip -d link</c> shows it in the switch host's namespace.</summary>
    private static string HostEnd(VethPair pair, string vm) =>
        VethPair.Run("ip", $"-n {pair.DeviceNamespace} -d -o link show").Output.Split('\n').Single(l => l.Contains(": pdv"));

    /// <summary>Starts the VM <paramref name="spec"/> describes on <paramref name="sw"/>; a refusal fails the test with its reason.</summary>
    private static async Task Start(IActorRef sw, VmSpec spec)
    {
        var answer = await sw.Ask<object>(new StartVm(spec), TimeSpan.FromSeconds(20));
        Assert.True(answer is VmStarted, $"the switch did not start VM {spec.Name}: {answer}");
    }

    private static async Task<SwitchStatus> Status(IActorRef sw) => await sw.Ask<SwitchStatus>(new GetSwitchStatus(), TimeSpan.FromSeconds(10));

    private static long Allowed(VfpPorts vfp, VmSpec spec) => vfp.Find(spec.Port.PortName)!.Snapshot().Rules.Single(r => r.Rule == "in-rest").Counters.AllowedPackets;

    /// <summary>Starts VMs beside <paramref name="pair"/>'s device end, then gives each host end's XDP slot to another program (generic mode), as another XDP user would hold it.</summary>
    private sealed class XdpSlotTakenHost(VethPair pair) : IVmHost
    {
        public IVm Start(VmSpec spec)
        {
            var vm = (NamespaceVm)VmHost(pair).Start(spec);
            VethPair.Ip($"-n {pair.DeviceNamespace} link set dev {vm.HostInterface} xdpgeneric obj {Path.Combine(AppContext.BaseDirectory, "pd_xdp.o")} sec xdp");
            return vm;
        }
    }

    private sealed class ErrorCollector(ConcurrentQueue<ActorError> errors) : ActorBase
    {
        protected override void OnReceive(object message) => errors.Enqueue((ActorError)message);
    }

    private static bool Ping(string vm, int count = 3) => VethPair.Run("ip", $"netns exec pdvm-{vm} ping -c {count} -i 0.2 -W 1 198.18.0.1").Code == 0;

}
