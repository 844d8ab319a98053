using PdCluster.Nic.Adapters;
using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>The switch on SoftNic: forwarding by static MAC, the OS path, VFP's blocking and disable-port, reboots, crashes, and a stop/start storm.</summary>
public sealed class SwitchOnSoftNicTests
{
    [Fact]
    public async Task Frames_reach_the_vm_by_its_static_mac_and_the_vms_frames_reach_the_wire()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac, SwitchLab.Vm2Mac]);
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1))));
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm2", SwitchLab.Vm2Mac, 2))));
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 100 && lab.Vm("vm2").Received > 100 && lab.TesterReceived > 200), "traffic both ways");
        var status = await lab.Status();
        Assert.All(status.Ports, p => Assert.True(p.Initialized && !p.Blocked && p.Inbound > 0 && p.Outbound > 0));
        Assert.True(status.ToWire > 0 && status.FromWire > 0);
    }

    [Fact]
    public async Task What_no_port_owns_goes_to_the_os_path()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac], strayMac: 0x02_00_00_00_00_99);
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1))));
        await SwitchLab.Until(() => Task.FromResult(lab.External.ReinjectedPackets > 50 && lab.Vm("vm1").Received > 50), "the stray flow on the OS path");
        Assert.True((await lab.Status()).HandedToOs >= 50);
    }

    [Fact]
    public async Task With_vfp_enabled_a_port_with_no_rules_blocks_until_disabled_and_blocks_again_after_a_reboot()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac]);
        lab.Switch.Tell(new SetVfpExtension(true));
        var spec = SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1);
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(spec)));
        await SwitchLab.Until(async () => (await lab.Status()).Ports.Single() is { InboundBlocked: > 50, OutboundBlocked: > 50 }, "blocked traffic both ways");
        var blocked = (await lab.Status()).Ports.Single();
        Assert.True(blocked.Blocked);
        Assert.Equal((0, 0L, 0L), (blocked.RuleCount, blocked.Inbound, blocked.Outbound));
        Assert.Equal(0, lab.Vm("vm1").Received);

        lab.Switch.Tell(new SetPortDisabled(spec.Port.PortName, true));
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 50), "traffic through the disabled port");
        Assert.True((await lab.Status()).Ports.Single() is { Disabled: true, Blocked: false });

        await lab.Ask<VmStopped>(new StopVm("vm1"));
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(spec)));
        var rebooted = (await lab.Status()).Ports.Single();
        Assert.True(rebooted is { Blocked: true, Disabled: false });
        await SwitchLab.Until(async () => (await lab.Status()).Ports.Single().InboundBlocked > 50, "blocked again after the reboot");
        Assert.Equal(0, lab.Vm("vm1").Received);
    }

    [Fact]
    public async Task A_second_vm_with_the_same_mac_is_refused_and_changes_nothing()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac]);
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1))));
        var refused = Assert.IsType<VmRefused>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm2", SwitchLab.Vm1Mac, 2))));
        Assert.Contains("00:15:5d:00:00:01 is already on port", refused.Error);
        Assert.Equal(["vm1"], (await lab.Status()).Ports.Select(p => p.Identity.VmName));
    }

    [Fact]
    public async Task A_crashed_vm_is_taken_off_the_switch_with_its_buffers_and_reported()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac, SwitchLab.Vm2Mac]);
        await lab.Ask<VmStarted>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1)));
        await lab.Ask<VmStarted>(new StartVm(SwitchLab.Spec("vm2", SwitchLab.Vm2Mac, 2)));
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 20), "traffic to vm1");
        lab.Vm("vm1").Crash();
        await SwitchLab.Until(async () => (await lab.Status()).CrashedVms.Contains("vm1"), "vm1 reported crashed");
        var received = lab.Vm("vm2").Received;
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm2").Received > received + 50), "vm2 still served");
        Assert.Equal(["vm2"], (await lab.Status()).Ports.Select(p => p.Identity.VmName));
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1))));
        Assert.Empty((await lab.Status()).CrashedVms);
    }

    [Fact]
    public async Task Vms_stopping_and_starting_while_traffic_flows_lose_no_buffer()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac, SwitchLab.Vm2Mac], rate: 20_000, vmRate: 5_000);
        await lab.Ask<VmStarted>(new StartVm(SwitchLab.Spec("vm2", SwitchLab.Vm2Mac, 2)));
        var spec = SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1);
        for (var i = 0; i < 15; i++)
        {
            await lab.Ask<VmStarted>(new StartVm(spec));
            await Task.Delay(Random.Shared.Next(1, 30));
            await lab.Ask<VmStopped>(new StopVm("vm1"));
        }
        var received = lab.Vm("vm2").Received;
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm2").Received > received + 50), "vm2 served through the storm");
        Assert.Empty((await lab.Status()).CrashedVms);
    }

    [Fact]
    public async Task A_surprise_removed_adapter_stops_the_vms_traffic_and_the_switch_reports_it_with_every_buffer_home()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac], vmRate: 5_000);
        Assert.IsType<VmStarted>(await lab.Ask<object>(new StartVm(SwitchLab.Spec("vm1", SwitchLab.Vm1Mac, 1))));
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 50 && lab.TesterReceived > 50), "traffic both ways");
        Assert.Null((await lab.Status()).AdapterFailure);

        lab.External.Inject(DeviceEvent.SurpriseRemoval);
        await SwitchLab.Until(async () => (await lab.Status()).AdapterFailure is not null, "the failure reported");
        Assert.Contains("surprise-removed", (await lab.Status()).AdapterFailure);
        var received = lab.Vm("vm1").Received;
        var dropped = (await lab.Status()).Dropped;
        await SwitchLab.Until(async () => (await lab.Status()).Dropped > dropped + 50, "the VM's frames dropped at the failed switch");
        Assert.InRange(lab.Vm("vm1").Received - received, 0, 64);
    }
}
