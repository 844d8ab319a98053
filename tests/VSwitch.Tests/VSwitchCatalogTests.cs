using PdCluster.Cluster;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch;

/// <summary>The WinOF walkthrough's records in a real store, and bad input refused with nothing written.</summary>
public sealed class VSwitchCatalogTests
{
    [Fact]
    public async Task The_walkthrough_creates_the_switch_enables_vfp_adds_the_adapter_and_tracks_port_state_across_a_reboot()
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", allowManagementOs: true, default);
        await catalog.EnableExtensionAsync("sw", "vfp", default);
        await catalog.AddAdapterAsync("vm1", "sw", "00-15-5D-00-00-01", default);
        var off = Assert.Single(await Vms(catalog));
        // Listed blocked while VFP is on, it is enabled and it has no rules, whether or not its VM runs.
        Assert.Equal(("00:15:5d:00:00:01", "vm1", 1, false, true), (off.Mac, off.VmName, off.PortId, off.Initialized, off.Blocked));

        await catalog.SetRunningAsync("vm1", true, default);
        var started = Assert.Single(await Vms(catalog));
        Assert.Equal((true, true, false, 0, false), (started.Initialized, started.Blocked, started.Disabled, started.RuleCount, started.MacLearning));

        await catalog.SetPortDisabledAsync(started.PortName, true, default);
        Assert.True((await Vms(catalog)).Single() is { Blocked: false, Disabled: true });

        await catalog.SetRunningAsync("vm1", false, default);
        await catalog.SetRunningAsync("vm1", true, default);
        Assert.True((await Vms(catalog)).Single() is { Blocked: true, Disabled: false });
        var port = (await Vms(catalog)).Single().PortName;
        await catalog.AddRuleAsync(port, VfpRulesThroughTheStoreTests.Rule("web", "acl", "in", "inbound", """{"protocol":"tcp"}""", "allow"), default);
        Assert.True((await Vms(catalog)).Single() is { Blocked: false, RuleCount: 1 });
        Assert.Equal("protocol=tcp", Assert.Single(await catalog.ListRulesAsync(null, default)) is { Id: "web", VmName: "vm1", Action: "allow" } r ? r.Match : null);
        await catalog.RemoveRuleAsync(port, "web", default);
        Assert.True((await Vms(catalog)).Single() is { Blocked: true, RuleCount: 0 });
        var external = (await catalog.ListPortsAsync(default)).First();
        Assert.Equal(("External", "eth", "sw"), (external.Type, external.NicName, external.Switch));
    }

    [Fact]
    public async Task List_ports_shows_the_external_port_as_its_node_last_reported_it()
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "t0", allowManagementOs: false, default);
        Assert.True((await catalog.ListPortsAsync(default)).Single() is { Initialized: false, NicName: "t0", Down: "no node runs switch sw: none has an adapter or team named t0." });
        await Report(new ExternalPortState { Switch = "sw", Adapter = "pd0", Mac = "02:00:00:00:01:02" });
        Assert.True((await catalog.ListPortsAsync(default)).Single() is { Initialized: true, NicName: "pd0", Mac: "02:00:00:00:01:02", Down: null });

        await Report(new ExternalPortState { Switch = "sw", Failure = "switch sw: its adapter pd0 was surprise-removed; no VM was running." });
        Assert.True((await catalog.ListPortsAsync(default)).Single() is { Initialized: false, NicName: "t0", Down: "switch sw: its adapter pd0 was surprise-removed; no VM was running." });
        await Report(new ExternalPortState { Switch = "sw", Adapter = "pd1" });
        Assert.True((await catalog.ListPortsAsync(default)).Single() is { Initialized: true, NicName: "pd1", Down: null });

        async Task Report(ExternalPortState port) => await store.PutAsync("/pd/lab/vswitch-status/n1",
            System.Text.Json.JsonSerializer.Serialize(new VfpRuleStatus("n1", 1, []) { ExternalPorts = [port] }, VSwitchJson.Default.VfpRuleStatus));
    }

    [Theory]
    [InlineData("unknown switch", "--switch: no switch 'nope'")]
    [InlineData("duplicate MAC", "--static-mac: 00:15:5d:00:00:01 is already the MAC of VM vm1's adapter on switch sw.")]
    [InlineData("malformed MAC", "--static-mac: '00:15:5d:00:01' is not a MAC address")]
    [InlineData("multicast MAC", "--static-mac: 01:00:5e:00:00:01 is a multicast address")]
    [InlineData("running VM", "VM vm1 is running; stop it to add a network adapter")]
    [InlineData("unknown port", "--port: no port 'nope'")]
    [InlineData("unknown VM", "no VM 'nope'")]
    [InlineData("unknown extension", "'wfp' is not a switch extension")]
    [InlineData("existing switch", "switch sw already exists.")]
    [InlineData("bad name", "'a/b' is not a VM name")]
    [InlineData("bad address", "--address: '198.18.1.10/33' is not an address with a prefix length")]
    [InlineData("adapter taken", "--adapter: eth is already the external port of switch sw; switch sw2 cannot share it.")]
    [InlineData("removing a switch a VM runs on", "VM vm1 is running on switch sw; stop it first")]
    [InlineData("rule on an unknown port", "--port: no port 'nope'")]
    [InlineData("duplicate rule id", "--port: port {port} already has a rule 'web'")]
    [InlineData("removing an unknown rule", "ID: port {port} has no rule 'nope'")]
    [InlineData("removing a running VM", "VM vm1 is running; stop it first (pd vm stop vm1).")]
    [InlineData("removing an unknown VM", "no VM 'nope' (pd vm ls lists them).")]
    [InlineData("starting a running VM", "VM vm1 is already running; nothing changed (pd vm stop vm1, then pd vm start vm1, reboots it).")]
    [InlineData("the external port", "--port: eth is the external port of switch sw; VFP applies to VM ports")]
    [InlineData("an empty port name", "--port: '' is not a port name: 1 to 64 characters")]
    [InlineData("removing an unknown switch", "no switch 'nope' (pd vswitch ls lists them).")]
    public async Task Bad_input_is_refused_with_a_clear_error_and_changes_nothing(string bad, string error)
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", default);
        await catalog.SetRunningAsync("vm1", true, default);
        var port = (await Vms(catalog)).Single().PortName;
        var web = VfpRulesThroughTheStoreTests.Rule("web", "acl", "in", "inbound", """{"protocol":"tcp"}""", "allow");
        await catalog.AddRuleAsync(port, web, default);
        var before = await store.RangeAsync("/pd/lab/");
        Task change = bad switch
        {
            "unknown switch" => catalog.AddAdapterAsync("vm2", "nope", "00:15:5d:00:00:02", default),
            "duplicate MAC" => catalog.AddAdapterAsync("vm2", "sw", "00:15:5D:00:00:01", default),
            "malformed MAC" => catalog.AddAdapterAsync("vm2", "sw", "00:15:5d:00:01", default),
            "multicast MAC" => catalog.AddAdapterAsync("vm2", "sw", "01:00:5e:00:00:01", default),
            "running VM" => catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:02", default),
            "unknown port" => catalog.SetPortDisabledAsync("nope", true, default),
            "unknown VM" => catalog.SetRunningAsync("nope", true, default),
            "unknown extension" => catalog.EnableExtensionAsync("sw", "wfp", default),
            "existing switch" => catalog.CreateSwitchAsync("sw", "eth2", false, default),
            "bad address" => catalog.AddAdapterAsync("vm2", "sw", "00:15:5d:00:00:02", default, "198.18.1.10/33"),
            "adapter taken" => catalog.CreateSwitchAsync("sw2", "eth", false, default),
            "removing a switch a VM runs on" => catalog.RemoveSwitchAsync("sw", default),
            "rule on an unknown port" => catalog.AddRuleAsync("nope", web, default),
            "duplicate rule id" => catalog.AddRuleAsync(port.ToLowerInvariant(), web, default),
            "removing an unknown rule" => catalog.RemoveRuleAsync(port, "nope", default),
            "removing a running VM" => catalog.RemoveVmAsync("vm1", default),
            "removing an unknown VM" => catalog.RemoveVmAsync("nope", default),
            "starting a running VM" => catalog.SetRunningAsync("vm1", true, default),
            "the external port" => catalog.SetPortDisabledAsync("eth", true, default),
            "an empty port name" => catalog.AddRuleAsync("", web, default),
            "removing an unknown switch" => catalog.RemoveSwitchAsync("nope", default),
            _ => catalog.AddAdapterAsync("a/b", "sw", "00:15:5d:00:00:02", default),
        };
        var refused = await Assert.ThrowsAsync<VSwitchRefusedException>(() => change);
        Assert.StartsWith(error.Replace("{port}", port), refused.Message);
        var after = await store.RangeAsync("/pd/lab/");
        Assert.Equal(before.Revision, after.Revision);
        Assert.Equal(before.Items, after.Items);
    }

    [Theory]
    [InlineData("t0", "pd0", "--adapter: pd0 is a member of team t0, already the external port of switch sw; switch sw2 cannot share it.")]
    [InlineData("pd1", "t0", "--adapter: team t0 has pd1, already the external port of switch sw; switch sw2 cannot share it.")]
    [InlineData("t0", "t0", "--adapter: team t0 is already the external port of switch sw; switch sw2 cannot share it.")]
    [InlineData("t0", "t1", "--adapter: team t1 shares pd1 with team t0, already the external port of switch sw; switch sw2 cannot share it.")]
    public async Task A_second_switch_on_a_team_or_one_of_its_members_is_refused_naming_both_and_changes_nothing(string first, string second, string error)
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        // What two nodes' agents write: n1 has team t0 of pd0 and pd1; n2 (the same adapter names) has t1 of pd1 and pd2.
        await Report(store, "n1", new NodeTeam("t0", ["pd0", "pd1"]));
        await Report(store, "n2", new NodeTeam("t1", ["pd1", "pd2"]));
        await catalog.CreateSwitchAsync("sw", first, false, default);
        var before = await store.RangeAsync("/pd/lab/");

        var refused = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.CreateSwitchAsync("sw2", second, false, default));

        Assert.Equal(error, refused.Message);
        var after = await store.RangeAsync("/pd/lab/");
        Assert.Equal(before.Revision, after.Revision);
        Assert.Equal(before.Items, after.Items);
    }

    [Fact]
    public async Task Switches_on_adapters_no_team_shares_are_accepted_beside_a_switch_on_a_team()
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await Report(store, "n1", new NodeTeam("t0", ["pd0", "pd1"]));
        await catalog.CreateSwitchAsync("sw", "t0", false, default);
        await catalog.CreateSwitchAsync("sw2", "pd2", false, default);
        await catalog.CreateSwitchAsync("sw3", "t9", false, default);
        Assert.Equal(["t0", "pd2", "t9"], (await catalog.ListPortsAsync(default)).Select(p => p.NicName));
    }

    private static Task Report(InMemoryStore store, string node, params NodeTeam[] teams) => store.PutAsync($"/pd/lab/vswitch-status/{node}",
        System.Text.Json.JsonSerializer.Serialize(new VfpRuleStatus(node, 1, []) { Teams = teams }, VSwitchJson.Default.VfpRuleStatus));

    [Fact]
    public async Task A_second_adapter_and_a_stop_of_a_stopped_vm_are_refused_and_change_nothing()
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", default);
        var port = (await Vms(catalog)).Single().PortName;
        var before = await store.RangeAsync("/pd/lab/");

        var second = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:0a", default));
        Assert.Equal($"VM vm1 already has a network adapter (00:15:5d:00:00:01, port {port} on switch sw); a VM here has one.", second.Message);
        var stop = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.SetRunningAsync("vm1", false, default));
        Assert.Equal("VM vm1 is already off; nothing changed.", stop.Message);
        Assert.Equal(before.Items, (await store.RangeAsync("/pd/lab/")).Items);
    }

    [Fact]
    public async Task List_ports_calls_initialized_only_the_ports_on_the_switch()
    {
        await using var store = new InMemoryStore();
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        // Written around pd: a running VM with two adapters; only the first ever joins the switch.
        var written = await store.PutAsync("/pd/lab/vms/vm1", """
            {"schemaVersion":1,"name":"vm1","running":true,"adapters":[
             {"name":"Network Adapter","switch":"sw","staticMac":"00:15:5d:00:00:01","portName":"P1","portId":1},
             {"name":"Network Adapter","switch":"sw","staticMac":"00:15:5d:00:00:0a","portName":"P2","portId":2}]}
            """);
        Assert.Equal([("P1", true), ("P2", false)], (await Vms(catalog)).Select(p => (p.PortName, p.Initialized)));

        // The node that runs sw says vm1's start failed at that record: its port is not on the switch either.
        await store.PutAsync("/pd/lab/vswitch-status/n1", System.Text.Json.JsonSerializer.Serialize(new VfpRuleStatus("n1", written, [])
        {
            ExternalPorts = [new ExternalPortState { Switch = "sw", Adapter = "eth" }],
            VmStarts = [new VmStartOutcome { Vm = "vm1", Revision = written, Error = "VM vm1 did not start on switch sw: network namespace pdvm-vm1 exists and pd did not create it." }],
        }, VSwitchJson.Default.VfpRuleStatus));
        Assert.All(await Vms(catalog), p => Assert.False(p.Initialized || p.Blocked));
    }

    private static async Task<List<PortListing>> Vms(VSwitchCatalog catalog) => [.. (await catalog.ListPortsAsync(default)).Where(p => p.Type == "Vm")];
}
