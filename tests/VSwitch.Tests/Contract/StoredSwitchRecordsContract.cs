using System.Text.Json;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.TestKit;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch.Contract;

/// <summary>
/// What the switch's records in a store hold to, whoever writes them: a record another client wrote badly is listed
/// with its key and problem, skipped by every command, refused by the node with the same checks the commands make, and
/// removable with pd; two adapter adds of one MAC at once store it once; a refused record's last good version stays in
/// force across a restart of the node. Each test works in a cluster of its own. Derive once per store.
/// </summary>
public abstract class StoredSwitchRecordsContract : IAsyncLifetime
{
    private const string Mac1 = "00:15:5d:00:00:01";
    private readonly List<IClusterStore> _stores = [];

    /// <summary>This test's own cluster.</summary>
    private string Cluster { get; } = $"c{Guid.NewGuid():N}"[..20];

    /// <summary>A client of the store (a new one each call where the store has clients, the one store otherwise).</summary>
    protected abstract IClusterStore CreateStore();

    /// <summary>Whether <see cref="CreateStore"/> answers one store every time.</summary>
    protected abstract bool SharesOneStore { get; }

    private IClusterStore Store => _stores[0];

    public Task InitializeAsync()
    {
        _stores.Add(CreateStore());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores.Distinct())
            await store.DisposeAsync();
    }

    private VSwitchCatalog Catalog(IClusterStore? store = null) => new(store ?? Store, Cluster);

    private string VmKey(string vm) => $"/pd/{Cluster}/vms/{vm}";

    private static string VmRecord(string name, string mac, string port, bool running = true, bool disabled = false) =>
        $$"""{"schemaVersion":1,"name":"{{name}}","running":{{(running ? "true" : "false")}},"adapters":[{"name":"Network Adapter","switch":"sw","staticMac":"{{mac}}","portName":"{{port}}","portId":9,"vfpDisabled":{{(disabled ? "true" : "false")}}}]}""";

    [ContractFact]
    public async Task Two_adapter_adds_of_one_mac_at_once_store_it_once()
    {
        await Catalog().CreateSwitchAsync("sw", "eth", false, default);
        var writers = Enumerable.Range(0, 2).Select(_ => SharesOneStore ? Store : Track(CreateStore())).ToList();
        for (var round = 0; round < 12; round++)
        {
            var mac = $"00:15:5d:00:07:{round:x2}";
            using var start = new Barrier(2);
            var adds = writers.Select((store, i) => Task.Run(async () =>
            {
                start.SignalAndWait();
                try
                {
                    return (Revision: await Catalog(store).AddAdapterAsync($"r{round}w{i}", "sw", mac, default), Error: (string?)null);
                }
                catch (VSwitchRefusedException e)
                {
                    return (Revision: 0L, Error: e.Message);
                }
            })).ToList();
            var results = await Task.WhenAll(adds);
            Assert.Single(results, r => r.Error is null);
            Assert.Contains($"--static-mac: {mac} is already the MAC of VM r{round}w", Assert.Single(results, r => r.Error is not null).Error);
        }
        var macs = (await Catalog().ListVmsAsync(default)).SelectMany(v => v.Adapters).Select(a => a.StaticMac).ToList();
        Assert.Equal(12, macs.Count);
        Assert.Equal(macs.Count, macs.Distinct().Count());
    }

    [ContractFact]
    public async Task A_bad_record_is_listed_by_its_key_and_skipped_and_pd_removes_it()
    {
        var (catalog, port) = await SwitchWithVm1Async(vfp: true);
        await Store.PutAsync(VmKey("vm8"), """{"schemaVersion":1,"name":"vm8","running":"yes"}""");
        await Store.PutAsync($"/pd/{Cluster}/vswitch/bad2", new string('[', 100) + new string(']', 100));
        var nested = $"{VfpRuleKey.PortPrefix(Cluster, "sw", port)}sub/nested";
        await Store.PutAsync(nested, """{"schemaVersion":1,"id":"nested","layer":"acl","group":"in","direction":"inbound","action":"allow"}""");

        var ports = await catalog.ListPortsAsync(default);
        Assert.Equal(["eth", port], ports.Where(p => p.Problem is null).Select(p => p.PortName));
        Assert.Contains(ports, p => p.Problem is { } problem && problem.StartsWith($"{VmKey("vm8")}: running:") && problem.EndsWith("(pd vm rm vm8 removes it)"));
        Assert.Contains(ports, p => p.Problem is { } problem && problem.StartsWith($"/pd/{Cluster}/vswitch/bad2: ") && problem.Contains("depth"));
        Assert.Contains(ports, p => p.Problem is { } problem && problem.StartsWith($"{nested}: 'sub/nested' is not a rule id"));
        Assert.Contains(await catalog.ListVmsAsync(default), v => v is { Name: "vm8", Problem: not null });
        Assert.Contains(await catalog.ListSwitchesAsync(default), s => s is { Name: "bad2", Problem: not null });
        Assert.Contains(await catalog.ListRulesAsync(null, default), r => r.Id == "sub/nested" && r.Problem!.Contains("no node applies it"));

        // Commands that do not touch the bad records go on; one that names one says what is wrong and how to remove it.
        await catalog.AddAdapterAsync("vm10", "sw", "00:15:5d:00:00:10", default);
        await catalog.SetRunningAsync("vm1", true, default);
        var start = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.SetRunningAsync("vm8", true, default));
        Assert.StartsWith($"{VmKey("vm8")}: running:", start.Message);
        Assert.EndsWith("(pd vm rm vm8 removes the record).", start.Message);

        await catalog.RemoveVmAsync("vm8", default);
        await catalog.RemoveSwitchAsync("bad2", default);
        await catalog.RemoveRuleAsync(port, "sub/nested", default);
        Assert.DoesNotContain(await catalog.ListPortsAsync(default), p => p.Problem is not null);
        Assert.Empty(await catalog.ListRulesAsync(null, default));
        Assert.Equal(["vm1", "vm10"], (await catalog.ListVmsAsync(default)).Select(v => v.Name));
        var refused = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.RemoveVmAsync("vm1", default));
        Assert.Equal("VM vm1 is running; stop it first (pd vm stop vm1).", refused.Message);
    }

    [ContractFact]
    public async Task A_removed_vm_frees_its_mac_and_its_ports_rules()
    {
        var (catalog, port) = await SwitchWithVm1Async();
        // More rules than one transaction holds.
        foreach (var i in Enumerable.Range(0, 200))
            await catalog.AddRuleAsync(port, VfpRulesThroughTheStoreTests.Rule($"r{i}", "acl", "in", "inbound", null, "allow"), default);
        await catalog.RemoveVmAsync("vm1", default);
        Assert.Empty(await catalog.ListRulesAsync(null, default));
        Assert.Empty((await Store.RangeAsync($"/pd/{Cluster}/vswitch-macs/")).Items);
        await catalog.AddAdapterAsync("vm2", "sw", Mac1, default);
        // A claim whose VM record another client deleted is taken over.
        await Store.DeleteAsync(VmKey("vm2"));
        await catalog.AddAdapterAsync("vm3", "sw", Mac1, default);
        Assert.Equal("vm3", Assert.Single((await Store.RangeAsync($"/pd/{Cluster}/vswitch-macs/")).Items).Value);
    }

    [ContractFact]
    public async Task The_check_refuses_what_the_commands_refuse_and_the_vm_created_first_keeps_its_port()
    {
        var (catalog, port) = await SwitchWithVm1Async();
        await Store.PutAsync(VmKey("vm4"), VmRecord("vm4", "00-15-5D-00-00-01", "0F0F0F0F-0000-0000-0000-000000000004"));
        await Store.PutAsync(VmKey("vm5"), VmRecord("vm5", "00:15:5d:00:00:05", port.ToLowerInvariant(), disabled: true));
        await Store.PutAsync(VmKey("vm6"), VmRecord("vm6", "01:00:5e:00:00:01", "0F0F0F0F-0000-0000-0000-000000000006"));
        await Store.PutAsync(VmKey("vm7"), VmRecord("other", "00:15:5d:00:00:07", "0F0F0F0F-0000-0000-0000-000000000007"));
        await Store.PutAsync(VmKey("vm9"), VmRecord("vm9", "00:15:5d:00:00:09", "../../etc"));
        await Store.PutAsync($"/pd/{Cluster}/vswitch/sw2", """{"schemaVersion":1,"name":"sw2","adapter":""}""");
        // vm1 rewritten (stopped and started) after vm4 and vm5 took its MAC and port: still the first created, it keeps them.
        await catalog.SetRunningAsync("vm1", true, default);

        var records = StoredRecords.Check(Cluster, (await Store.RangeAsync($"/pd/{Cluster}/vswitch/")).Items, (await Store.RangeAsync($"/pd/{Cluster}/vms/")).Items);
        Assert.Equal(["vm1"], records.Vms.Select(v => v.Document.Name));
        Assert.Equal(
            [
                $"/pd/{Cluster}/vms/vm4: adapters[0].staticMac: 00:15:5d:00:00:01 is already the MAC of VM vm1's adapter on switch sw.",
                $"/pd/{Cluster}/vms/vm5: adapters[0].portName: {port.ToLowerInvariant()} is already the port of VM vm1.",
                $"/pd/{Cluster}/vms/vm6: adapters[0].staticMac: 01:00:5e:00:00:01 is a multicast address; a VM adapter's MAC is a unicast one.",
                $"/pd/{Cluster}/vms/vm7: name: 'other' is not the key's name 'vm7'.",
                $"/pd/{Cluster}/vms/vm9: adapters[0].portName: '../../etc' is not a port name: {PdCluster.Actors.Framework.ClusterNames.Rule}.",
            ],
            records.Refused.Where(r => r.Key.Contains("/vms/")).Select(r => r.Error));
        Assert.Equal($"/pd/{Cluster}/vswitch/sw2: adapter: '' is not an adapter name: {PdCluster.Actors.Framework.ClusterNames.Rule}.", Assert.Single(records.Refused, r => r.Key.EndsWith("/sw2")).Error);
        Assert.Equal(["sw"], records.Switches.Select(s => s.Document.Name));
    }

    [ContractFact]
    public async Task The_node_refuses_a_vm_that_takes_another_vms_port_or_mac_and_reports_it_leaving_that_port_alone()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac, SwitchLab.Vm2Mac], startSwitch: false);
        var (catalog, port) = await SwitchWithVm1Async(vfp: true);
        await catalog.SetRunningAsync("vm1", true, default);
        var vfp = new VfpPorts();
        var agent = lab.System.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(Store, Cluster, d => d.Adapter == "eth" ? lab.Settings with { Name = d.Name } : null)
        {
            Node = "n1",
            VfpPorts = vfp,
        }), "vswitch-agent");
        await SwitchLab.Until(() => Task.FromResult(lab.Runs("vm1")), "vm1 started");

        await Store.PutAsync(VmKey("vm5"), VmRecord("vm5", "00:15:5d:00:00:02", port, disabled: true));
        await Store.PutAsync(VmKey("vm4"), VmRecord("vm4", "00:15:5d:00:00:01", "0F0F0F0F-0000-0000-0000-000000000004"));
        await Store.PutAsync(VmKey("vm6"), VmRecord("vm6", "01:00:5e:00:00:01", "0F0F0F0F-0000-0000-0000-000000000006"));
        await Store.PutAsync(VmKey("vm9"), VmRecord("vm9", "00:15:5d:00:00:09", "../../etc"));
        await Store.PutAsync($"/pd/{Cluster}/vswitch/sw/ports/{port}/rules/", """{"schemaVersion":1,"id":"","layer":"acl","group":"in","direction":"inbound","action":"allow"}""");
        await Store.PutAsync(VmKey("vm3"), VmRecord("vm3", "02:00:00:00:00:10", "0F0F0F0F-0000-0000-0000-000000000003"));
        await SwitchLab.Until(async () => (await Status(agent)).Refused.Count == 6, "six records refused");
        var refused = (await Status(agent)).Refused.ToDictionary(r => r.Key, r => r.Error);
        Assert.Contains($"is already the port of VM vm1", refused[VmKey("vm5")]);
        Assert.Contains("is already the MAC of VM vm1's adapter", refused[VmKey("vm4")]);
        Assert.Contains("multicast", refused[VmKey("vm6")]);
        Assert.Contains("'../../etc' is not a port name", refused[VmKey("vm9")]);
        Assert.Equal($"{VmKey("vm3")}: adapters[0].staticMac: 02:00:00:00:00:10 is the MAC of switch sw's external adapter eth.", refused[VmKey("vm3")]);
        Assert.Contains("'' is not a rule id", refused[$"/pd/{Cluster}/vswitch/sw/ports/{port}/rules/"]);
        await SwitchLab.Until(async () => (await Store.GetAsync($"/pd/{Cluster}/vswitch-status/n1")).Items.SingleOrDefault()?.Value.Contains("vm5") == true, "the refusals in the node's status key");
        Assert.False(vfp.Find(port)!.IsDisabled);
        Assert.Equal(["vm1"], (await SwitchStatus(agent)).Ports.Select(p => p.Identity.VmName));
        Assert.False(lab.Runs("vm5"));

        // vm1 gone, vm5 holds and comes in; the refusals of removed records leave the status.
        await catalog.SetRunningAsync("vm1", false, default);
        await catalog.RemoveVmAsync("vm1", default);
        await SwitchLab.Until(() => Task.FromResult(lab.Runs("vm5")), "vm5 started once its port is free");
        await SwitchLab.Until(() => Task.FromResult(vfp.Find(port)!.IsDisabled), "the port disabled as vm5's record says");
        await Store.DeleteAsync(VmKey("vm4"));
        await SwitchLab.Until(async () => !(await Status(agent)).Refused.Any(r => r.Key == VmKey("vm4") || r.Key == VmKey("vm5")), "vm4's and vm5's refusals gone");
        await agent.GracefulStop(TimeSpan.FromSeconds(20));
    }

    [ContractFact]
    public async Task A_refused_record_keeps_its_last_good_version_in_force_across_a_restart_of_the_node()
    {
        await using var lab = new SwitchLab([SwitchLab.Vm1Mac], startSwitch: false);
        var (catalog, port) = await SwitchWithVm1Async(vfp: true);
        await catalog.SetRunningAsync("vm1", true, default);
        await catalog.AddRuleAsync(port, VfpRulesThroughTheStoreTests.Rule("in-all", "acl", "in", "inbound", null, "allow"), default);
        await catalog.AddRuleAsync(port, VfpRulesThroughTheStoreTests.Rule("out-all", "acl", "out", "outbound", null, "allow"), default);
        var agent = Agent("vswitch-agent", new VfpPorts(), out _);
        await SwitchLab.Until(() => Task.FromResult(lab.Runs("vm1") && lab.TesterReceived > 20), "vm1's traffic out, as out-all allows");

        var outAll = new VfpRuleKey("sw", port, "out-all").Key(Cluster);
        await Store.PutAsync(outAll, "not json");
        await Store.PutAsync($"/pd/{Cluster}/vswitch/sw", """{"schemaVersion":1,"name":"sw","adapter":"eth","vfpEnabled":"maybe"}""");
        await SwitchLab.Until(async () => (await Status(agent)).Refused.Count == 2, "the rule and the switch refused");
        await SwitchLab.Until(async () => (await Store.GetAsync($"/pd/{Cluster}/vswitch-status/n1")).Items.SingleOrDefault() is { } s
            && JsonSerializer.Deserialize(s.Value, VSwitchJson.Default.VfpRuleStatus)!.Refused.Count(r => r.InForce is not null) == 2, "both last good versions in the node's status");
        var first = lab.Vm("vm1");
        await agent.GracefulStop(TimeSpan.FromSeconds(20));

        // The node starts again with nothing in memory: the switch runs and the port passes traffic as before.
        var restarted = Agent("vswitch-agent-2", new VfpPorts(), out var vfp);
        await SwitchLab.Until(() => Task.FromResult(lab.Vm("vm1") != first), "vm1 started again on its switch's last good version");
        await SwitchLab.Until(() => Task.FromResult(vfp.Find(port)?.Policy.Rules.Count == 2), "in-all and out-all's last good version in force");
        var received = lab.TesterReceived;
        await SwitchLab.Until(() => Task.FromResult(lab.TesterReceived > received + 20), "vm1's traffic out again");
        var status = await Status(restarted);
        Assert.Equal([$"/pd/{Cluster}/vswitch/sw", outAll], status.Refused.Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.All(status.Refused, r => Assert.NotNull(r.InForce));
        await restarted.GracefulStop(TimeSpan.FromSeconds(20));

        IActorRef Agent(string name, VfpPorts ports, out VfpPorts used)
        {
            used = ports;
            return lab.System.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(Store, Cluster, d => d.Adapter == "eth" ? lab.Settings with { Name = d.Name } : null)
            {
                Node = "n1",
                VfpPorts = ports,
            }), name);
        }
    }

    /// <summary>Switch sw on eth with VM vm1's adapter (<see cref="Mac1"/>) on it, and vm1's port name.</summary>
    private async Task<(VSwitchCatalog Catalog, string Port)> SwitchWithVm1Async(bool vfp = false)
    {
        var catalog = Catalog();
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        if (vfp)
            await catalog.EnableExtensionAsync("sw", "vfp", default);
        await catalog.AddAdapterAsync("vm1", "sw", Mac1, default);
        return (catalog, (await catalog.ListPortsAsync(default)).Single(p => p.VmName == "vm1").PortName);
    }

    private IClusterStore Track(IClusterStore store)
    {
        _stores.Add(store);
        return store;
    }

    private static Task<VfpRuleStatus> Status(IActorRef agent) => agent.Ask<VfpRuleStatus>(new GetVfpRuleStatus(), TimeSpan.FromSeconds(5));

    private static async Task<SwitchStatus> SwitchStatus(IActorRef agent) =>
        await agent.Ask<object>(new ToSwitch("sw", new GetSwitchStatus()), TimeSpan.FromSeconds(10)) as SwitchStatus ?? throw new Xunit.Sdk.XunitException("the agent runs no switch sw");
}
