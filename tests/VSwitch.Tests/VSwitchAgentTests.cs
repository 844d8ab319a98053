using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch;

/// <summary>The agent applies the store's switch and VM records on the node that hosts them, in store order: the walkthrough through the store onto a running switch.</summary>
public sealed class VSwitchAgentTests
{
    [Fact]
    public async Task Records_written_by_the_commands_start_block_unblock_and_reboot_the_vm_on_its_node()
    {
        await using var lab = new SwitchLab([0x00_15_5d_00_00_01], startSwitch: false);
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        await catalog.CreateSwitchAsync("elsewhere", "eth9", false, default);
        var agent = lab.System.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(store, "lab", d => d.Adapter == "eth" ? lab.Settings with { Name = d.Name } : null)), "vswitch-agent");
        await catalog.EnableExtensionAsync("sw", "vfp", default);
        await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", default);
        await catalog.SetRunningAsync("vm1", true, default);
        await SwitchLab.Until(() => Task.FromResult(lab.Runs("vm1")), "vm1 started by the agent");
        var port = (await catalog.ListPortsAsync(default)).Single(p => p.VmName == "vm1").PortName;
        var sw = agent;
        await SwitchLab.Until(async () => (await Status(sw)).Ports.SingleOrDefault() is { Blocked: true, InboundBlocked: > 20 }, "vm1's port blocked with VFP on and no rules");
        Assert.Equal(0, lab.Vm("vm1").Received);

        await catalog.SetPortDisabledAsync(port, true, default);
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 20), "traffic through the disabled port");

        var first = lab.Vm("vm1");
        await catalog.SetRunningAsync("vm1", false, default);
        await catalog.SetRunningAsync("vm1", true, default);
        await SwitchLab.Until(async () => lab.Vm("vm1") != first && (await Status(sw)).Ports.SingleOrDefault() is { Blocked: true }, "vm1 rebooted, blocked again");
        Assert.Equal(0, lab.Vm("vm1").Received);

        await catalog.SetRunningAsync("vm1", false, default);
        await SwitchLab.Until(async () => (await Status(sw)).Ports.Count == 0, "vm1 stopped");
        await agent.GracefulStop(TimeSpan.FromSeconds(20));
    }

    private static async Task<SwitchStatus> Status(IActorRef agent) =>
        await agent.Ask<object>(new ToSwitch("sw", new GetSwitchStatus()), TimeSpan.FromSeconds(10)) as SwitchStatus ?? throw new Xunit.Sdk.XunitException("the agent runs no switch sw");
}
