using PdCluster.Nic.Adapters;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// The switch's external port through surprise removal on SoftNic: the VMs' traffic stops and the switch says so, then
/// the port reopens by itself on the adapter arrived again, or at once on the team survivor, and the VM ports carry on
/// with their VFP rules, disabled flags, counters and verdicts as before.
/// </summary>
public sealed class ExternalPortFailoverTests
{
    [Fact]
    public async Task An_adapter_that_arrives_again_reopens_the_external_port_and_the_vm_ports_keep_their_vfp_state()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac, SwitchLab.Vm2Mac], vmRate: 5_000);
        var (vm1, vm2) = await StartWithVfp(lab);
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 50 && lab.Vm("vm2").Received > 50 && lab.TesterReceived > 50), "traffic both ways");
        Assert.Equal("eth", (await lab.Status()).ExternalAdapter);

        lab.External.Inject(DeviceEvent.SurpriseRemoval);
        await SwitchLab.Until(async () => (await lab.Status()).AdapterFailure is not null, "the removal reported");
        var down = await lab.Status();
        Assert.Contains("its adapter eth was surprise-removed; the traffic of VM(s) vm1, vm2 stopped", down.AdapterFailure);
        Assert.Null(down.ExternalAdapter);
        var (received1, received2, tester) = (lab.Vm("vm1").Received, lab.Vm("vm2").Received, lab.TesterReceived);
        await SwitchLab.Until(async () => (await lab.Status()).Dropped > down.Dropped + 100, "the VMs' frames dropped at the switch");
        Assert.InRange(lab.Vm("vm1").Received - received1, 0, 64);
        Assert.InRange(lab.TesterReceived - tester, 0, 64);
        var before = Counters(lab, vm1);

        lab.External.Inject(DeviceEvent.Arrival);
        await SwitchLab.Until(async () => (await lab.Status()) is { AdapterFailure: null, ExternalAdapter: "eth" }, "the external port reopened");
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > received1 + 100 && lab.Vm("vm2").Received > received2 + 100
            && lab.TesterReceived > tester + 100), "traffic both ways again");
        await AssertVfpStateKept(lab, vm1, vm2, before);
        Assert.Equal(1, (await lab.Status()).ExternalReopens);
    }

    [Fact]
    public async Task A_team_survivor_takes_the_external_port_and_the_vm_ports_keep_their_vfp_state()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac, SwitchLab.Vm2Mac], vmRate: 5_000, team: true);
        var (vm1, vm2) = await StartWithVfp(lab);
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 50 && lab.TesterReceived > 50), "traffic through eth");
        Assert.Equal(0, lab.StandbyTesterReceived);
        var before = Counters(lab, vm1);

        lab.External.Inject(DeviceEvent.SurpriseRemoval);
        await SwitchLab.Until(async () => (await lab.Status()) is { AdapterFailure: null, ExternalAdapter: "eth-b" }, "the port on the survivor");
        var received = lab.Vm("vm1").Received;
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > received + 100 && lab.StandbyTesterReceived > 100), "traffic both ways through eth-b");
        await AssertVfpStateKept(lab, vm1, vm2, before);

        // The member back does not take the port from a survivor that serves; the survivor's removal hands it back.
        lab.External.Inject(DeviceEvent.Arrival);
        await Task.Delay(300);
        Assert.Equal("eth-b", (await lab.Status()).ExternalAdapter);
        var tester = lab.TesterReceived;
        lab.Standby!.Inject(DeviceEvent.SurpriseRemoval);
        await SwitchLab.Until(async () => (await lab.Status()) is { AdapterFailure: null, ExternalAdapter: "eth" }, "the port back on eth");
        await SwitchLab.Until(() => Task.FromResult(lab.TesterReceived > tester + 100), "traffic through eth again");
        Assert.Equal(2, (await lab.Status()).ExternalReopens);
    }

    [Fact]
    public async Task With_every_member_gone_the_port_stays_down_until_one_arrives()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac], vmRate: 5_000, team: true);
        await lab.Ask<VmStarted>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1)));
        lab.Standby!.Inject(DeviceEvent.SurpriseRemoval);
        lab.External.Inject(DeviceEvent.SurpriseRemoval);
        await SwitchLab.Until(async () => (await lab.Status()).AdapterFailure is not null, "the removal reported");
        await Task.Delay(300);
        Assert.True((await lab.Status()) is { ExternalAdapter: null, AdapterFailure: not null });
        var received = lab.Vm("vm1").Received;
        lab.Standby.Inject(DeviceEvent.Arrival);
        await SwitchLab.Until(async () => (await lab.Status()) is { AdapterFailure: null, ExternalAdapter: "eth-b" }, "the port on the member that arrived");
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > received + 100), "traffic to vm1 through eth-b");
    }

    /// <summary>
    /// Turns VFP on and starts vm1 with rules (inbound UDP to port 5000 allowed, outbound blocked) and vm2 with its port
    /// disabled; returns both ports' names.
    /// </summary>
    private static async Task<(string Vm1, string Vm2)> StartWithVfp(SwitchLab lab)
    {
        lab.Switch.Tell(new SetVfpExtension(true));
        var (spec1, spec2) = (SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1), SwitchLab.Spec("vm2", SwitchLab.Vm2Mac, 2));
        lab.Settings.VfpPorts.For(spec1.Port.PortName).Apply(VfpPolicy.FromRules(
        [
            VfpRulesThroughTheStoreTests.Rule("in-5000", "acl", "in", "inbound", """{"protocol":"udp","destinationPort":"5000"}""", "allow"),
            VfpRulesThroughTheStoreTests.Rule("out", "acl", "out", "outbound", null, "block"),
        ]));
        await lab.Ask<VmStarted>(new StartVm(spec1));
        await lab.Ask<VmStarted>(new StartVm(spec2));
        lab.Switch.Tell(new SetPortDisabled(spec2.Port.PortName, true));
        return (spec1.Port.PortName, spec2.Port.PortName);
    }

    private static (long Allowed, long Blocked) Counters(SwitchLab lab, string port)
    {
        var rules = lab.Settings.VfpPorts.Find(port)!.Snapshot().Rules;
        return (rules.Single(r => r.Rule == "in-5000").Counters.AllowedPackets, rules.Single(r => r.Rule == "out").Counters.BlockedPackets);
    }

    /// <summary>The ports' rules, disabled flags and counters carried on, and the rules still decide: vm1's inbound allowed, its outbound blocked.</summary>
    private static async Task AssertVfpStateKept(SwitchLab lab, string vm1, string vm2, (long Allowed, long Blocked) before)
    {
        await SwitchLab.Until(() => Task.FromResult(Counters(lab, vm1) is var now && now.Allowed > before.Allowed + 100 && now.Blocked > before.Blocked + 100),
            "vm1's rules counting on from where they were");
        var ports = (await lab.Status()).Ports;
        Assert.True(ports.Single(p => p.Identity.PortName == vm1) is { Initialized: true, Blocked: false, Disabled: false, RuleCount: 2, Outbound: 0, OutboundBlocked: > 0 });
        Assert.True(ports.Single(p => p.Identity.PortName == vm2) is { Initialized: true, Disabled: true, Outbound: > 0 });
    }
}
