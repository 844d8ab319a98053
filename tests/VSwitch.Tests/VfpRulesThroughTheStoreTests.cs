using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Vfp;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// The walkthrough's last step through the store onto a running switch: rules added and removed with the catalog let
/// the VM's traffic through as they say (allow one UDP port and nothing else, then a destination NAT of the VM's
/// address onto that port), and a rule another client wrote badly is refused in the node's status while the rest apply.
/// </summary>
public sealed class VfpRulesThroughTheStoreTests
{
    private const ulong VmMac = 0x00_15_5d_00_00_01;

    [Fact]
    public async Task Rules_in_the_store_let_the_vms_traffic_through_as_they_say()
    {
        await using var lab = new SwitchLab([VmMac], startSwitch: false);
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        var vfp = new VfpPorts();
        var agent = lab.System.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(store, "lab", d => d.Adapter == "eth" ? lab.Settings with { Name = d.Name } : null)
        {
            Node = "node-a",
            VfpPorts = vfp,
        }), "vswitch-agent");
        await catalog.EnableExtensionAsync("sw", "vfp", default);
        await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", default);
        await catalog.SetRunningAsync("vm1", true, default);
        await SwitchLab.Until(() => Task.FromResult(lab.Runs("vm1")), "vm1 started");
        var port = (await catalog.ListPortsAsync(default)).Single(p => p.VmName == "vm1").PortName;
        await SwitchLab.Until(async () => (await Status(agent)).Ports.SingleOrDefault() is { Blocked: true, InboundBlocked: > 20, OutboundBlocked: > 20 }, "vm1 blocked: VFP on, no rules");

        // The tester sends UDP 4000 -> 5000 to vm1 (198.18.1.10); vm1 answers 5000 -> 4000.
        await catalog.AddRuleAsync(port, Rule("in-5000", "20-acl", "in", "inbound", """{"protocol":"udp","destinationPort":"5000"}""", "allow"), default);
        await catalog.AddRuleAsync(port, Rule("out", "20-acl", "out", "outbound", null, "allow"), default);
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > 20 && lab.TesterReceived > 20), "traffic as the rules allow");
        Assert.True((await catalog.ListPortsAsync(default)).Single(p => p.PortName == port) is { RuleCount: 2, Blocked: false });
        Assert.True((await Status(agent)).Ports.Single() is { RuleCount: 2, Blocked: false });

        // A rule another client wrote badly is refused on the node, named with its key, and the rest stay in force.
        var badKey = new VfpRuleKey("sw", port, "bad").Key("lab");
        await store.PutAsync(badKey, """{"schemaVersion":1,"id":"bad","layer":"20-acl","group":"in","direction":"sideways","action":"allow"}""");
        await SwitchLab.Until(async () => (await agent.Ask<VfpRuleStatus>(new GetVfpRuleStatus(), TimeSpan.FromSeconds(5))).Refused.Any(r => r.Key == badKey), "the bad rule refused");
        var refused = (await agent.Ask<VfpRuleStatus>(new GetVfpRuleStatus(), TimeSpan.FromSeconds(5))).Refused.Single();
        Assert.Contains("direction", refused.Error);
        await SwitchLab.Until(async () => (await store.GetAsync("/pd/lab/vswitch-status/node-a")).Items.SingleOrDefault()?.Value.Contains("sideways") == true, "the refusal in the node's status key");
        var flowing = lab.Vm("vm1").Received;
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > flowing + 20), "the good rules still in force");
        Assert.Equal(2, vfp.Find(port)!.Policy.Rules.Count);

        // Allow UDP to port 6000 only: the tester's flow to 5000 is blocked.
        await catalog.RemoveRuleAsync(port, "in-5000", default);
        await catalog.AddRuleAsync(port, Rule("in-6000", "20-acl", "in", "inbound", """{"protocol":"udp","destinationPort":"6000"}""", "allow"), default);
        var blocked = (await Status(agent)).Ports.Single().InboundBlocked;
        await SwitchLab.Until(async () => (await Status(agent)).Ports.Single().InboundBlocked > blocked + 20, "the flow to 5000 blocked");
        var stopped = lab.Vm("vm1").Received;
        var more = (await Status(agent)).Ports.Single().InboundBlocked;
        await SwitchLab.Until(async () => (await Status(agent)).Ports.Single().InboundBlocked > more + 50, "more of it blocked");
        Assert.InRange(lab.Vm("vm1").Received - stopped, 0, 64);

        // A destination NAT of the VM's address to port 6000, in a layer passed before the ACL inbound: traffic flows again.
        await catalog.AddRuleAsync(port, Rule("vip", "10-nat", "lb", "inbound", """{"protocol":"udp"}""", "dnat", """{"vip":"198.18.1.10:5000","dip":"198.18.1.10:6000"}"""), default);
        await catalog.AddRuleAsync(port, Rule("nat-in", "10-nat", "pass", "inbound", null, "allow"), default);
        await catalog.AddRuleAsync(port, Rule("nat-out", "10-nat", "pass", "outbound", null, "allow"), default);
        var natted = lab.Vm("vm1").Received;
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1").Received > natted + 20), "traffic through the NAT");
        var counters = vfp.Find(port)!.Snapshot();
        Assert.True(counters.Rules.Single(r => r.Rule == "vip").Counters.AllowedPackets > 20);
        Assert.True(counters.Rules.Single(r => r.Rule == "in-6000").Counters.AllowedPackets > 20);
        Assert.True(counters.Layers.Single(l => l.Layer == "20-acl").Counters.BlockedPackets > 50);

        var listed = await catalog.ListRulesAsync(port, default);
        Assert.Equal(["bad", "in-6000", "nat-in", "nat-out", "out", "vip"], listed.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Contains("direction", listed.Single(r => r.Id == "bad").Problem);
        await agent.GracefulStop(TimeSpan.FromSeconds(20));
    }

    internal static VfpRule Rule(string id, string layer, string group, string direction, string? match, string action, string? dnat = null, int priority = 0) =>
        VfpRule.Read($$"""{"schemaVersion":1,"id":"{{id}}","layer":"{{layer}}","group":"{{group}}","direction":"{{direction}}","priority":{{priority}},"action":"{{action}}"{{(match is null ? "" : $",\"match\":{match}")}}{{(dnat is null ? "" : $",\"dnat\":{dnat}")}}}""", id);

    private static async Task<SwitchStatus> Status(IActorRef agent) =>
        await agent.Ask<object>(new ToSwitch("sw", new GetSwitchStatus()), TimeSpan.FromSeconds(10)) as SwitchStatus ?? throw new Xunit.Sdk.XunitException("the agent runs no switch sw");
}
