using System.Text.Json;
using PdCluster.Tests.Cluster.Etcd;
using static PdCluster.Tests.Node.ClusterCommandTests;

namespace PdCluster.Tests.Node;

/// <summary>The WinOF walkthrough as <c>pd</c> processes against a real etcd, and its bad input: exit code 2, a clear message, nothing written.</summary>
public sealed class VSwitchCommandTests
{
    [EtcdFact]
    public async Task The_walkthrough_runs_step_by_step_and_bad_input_is_exit_2_changing_nothing()
    {
        await using var etcd = await EtcdServer.StartAsync();
        string[] store = ["--etcd", $"{etcd.Endpoints[0]}", "--cluster", "vs-lab"];
        async Task<string> Ok(params string[] args)
        {
            var (exit, output, error) = await Run([.. args, .. store]);
            Assert.True(exit == 0, $"pd {string.Join(' ', args)}: {error}");
            return output;
        }
        async Task Refused(string message, params string[] args)
        {
            var before = await Ok("vfp", "list-ports", "-o", "json") + await Ok("vfp", "rule", "ls", "-o", "json");
            var (exit, _, error) = await Run([.. args, .. store]);
            Assert.Equal(2, exit);
            Assert.StartsWith($"pd: {message}", error);
            Assert.DoesNotContain("   at ", error);
            Assert.Equal(before, await Ok("vfp", "list-ports", "-o", "json") + await Ok("vfp", "rule", "ls", "-o", "json"));
        }

        Assert.StartsWith("switch sw created at revision", await Ok("vswitch", "create", "sw", "--adapter", "eth", "--allow-management-os"));
        await Ok("vswitch", "extension", "enable", "sw", "vfp");
        await Ok("vm", "adapter", "add", "vm1", "--switch", "sw", "--static-mac", "00:15:5d:00:00:01");
        await Ok("vm", "start", "vm1");
        using (var ports = JsonDocument.Parse(await Ok("vfp", "list-ports", "-o", "json")))
        {
            var vm = ports.RootElement.EnumerateArray().Single(p => p.GetProperty("type").GetString() == "Vm");
            Assert.Equal(("00:15:5d:00:00:01", true, true, 0), (vm.GetProperty("mac").GetString(), vm.GetProperty("initialized").GetBoolean(),
                vm.GetProperty("blocked").GetBoolean(), vm.GetProperty("ruleCount").GetInt32()));
            var port = vm.GetProperty("portName").GetString()!;
            Assert.Contains(port, await Ok("vfp", "list-ports"));
            await Ok("vfp", "disable-port", "--port", port);
            Assert.Contains("\"blocked\":false,\"disabled\":true", await Ok("vfp", "list-ports", "-o", "json"));
            await Ok("vm", "stop", "vm1");
            await Ok("vm", "start", "vm1");
            Assert.Contains("\"blocked\":true,\"disabled\":false", await Ok("vfp", "list-ports", "-o", "json"));

            var file = Path.Combine(Path.GetTempPath(), $"pd-rule-{Environment.ProcessId}.json");
            var bad = Path.Combine(Path.GetTempPath(), $"pd-bad-rule-{Environment.ProcessId}.json");
            try
            {
                File.WriteAllText(file, """{"schemaVersion":1,"id":"dns","layer":"acl","group":"in","direction":"inbound","match":{"protocol":"udp","destinationPort":"53"},"action":"allow"}""");
                File.WriteAllText(bad, """{"schemaVersion":1,"id":"web","layer":"acl","group":"in","direction":"inbound","match":{"destinationPort":"90-80"},"action":"allow"}""");
                Assert.StartsWith($"rule added to port {port} at revision", await Ok("vfp", "rule", "add", file, "--port", port));
                await Ok("vfp", "rule", "add", "--port", port, "--id", "out", "--layer", "acl", "--group", "out", "--direction", "outbound", "--action", "allow");
                Assert.Contains("\"blocked\":false,\"disabled\":false,\"ruleCount\":2", await Ok("vfp", "list-ports", "-o", "json"));
                var table = await Ok("vfp", "rule", "ls", "--port", port);
                Assert.Contains("protocol=udp destinationPort=53", table);
                await Refused($"--port: port {port} already has a rule 'dns'", "vfp", "rule", "add", file, "--port", port);
                await Refused($"{bad}: match.destinationPort:", "vfp", "rule", "add", bad, "--port", port);
                await Refused("options: direction:", "vfp", "rule", "add", "--port", port, "--id", "x", "--layer", "acl", "--group", "in", "--direction", "up", "--action", "allow");
                await Refused("--port: no port 'nope'", "vfp", "rule", "add", file, "--port", "nope");
                await Refused($"ID: port {port} has no rule 'nope'", "vfp", "rule", "rm", "nope", "--port", port);
                await Ok("vfp", "rule", "rm", "out", "--port", port);
                using var rules = JsonDocument.Parse(await Ok("vfp", "rule", "ls", "-o", "json"));
                Assert.Equal("dns", rules.RootElement.EnumerateArray().Single().GetProperty("id").GetString());
            }
            finally
            {
                File.Delete(file);
                File.Delete(bad);
            }
        }

        await Refused("VM vm1 is running; stop it to add a network adapter", "vm", "adapter", "add", "vm1", "--switch", "sw", "--static-mac", "00:15:5d:00:00:02");
        await Refused("--static-mac: 00:15:5d:00:00:01 is already the MAC", "vm", "adapter", "add", "vm2", "--switch", "sw", "--static-mac", "00:15:5d:00:00:01");
        await Refused("--static-mac: 'zz:15:5d:00:00:02' is not a MAC address", "vm", "adapter", "add", "vm2", "--switch", "sw", "--static-mac", "zz:15:5d:00:00:02");
        await Refused("--switch: no switch 'nope'", "vm", "adapter", "add", "vm2", "--switch", "nope", "--static-mac", "00:15:5d:00:00:02");
        await Refused("--port: no port 'nope'", "vfp", "disable-port", "--port", "nope");
        await Refused("no VM 'nope'", "vm", "start", "nope");

        // Records another client wrote badly: listed by key with their problem and skipped; pd removes them.
        await using (var client = new PdCluster.Cluster.Etcd.EtcdStore(etcd.Options))
        {
            await client.PutAsync("/pd/vs-lab/vms/vm8", """{"schemaVersion":1,"name":"vm8","running":"yes"}""");
            await client.PutAsync("/pd/vs-lab/vswitch/bad2", "[[[");
        }
        var listed = await Ok("vfp", "list-ports");
        Assert.Contains("left out: /pd/vs-lab/vms/vm8: running:", listed);
        Assert.Contains("left out: /pd/vs-lab/vswitch/bad2:", listed);
        Assert.Contains("(pd vm rm vm8 removes it)", await Ok("vm", "ls"));
        Assert.Contains("(pd vswitch rm bad2 removes it)", await Ok("vswitch", "ls"));
        await Ok("vm", "adapter", "add", "vm3", "--switch", "sw", "--static-mac", "00:15:5d:00:00:03");
        await Refused("/pd/vs-lab/vms/vm8: running:", "vm", "start", "vm8");
        Assert.StartsWith("VM vm8 removed at revision", await Ok("vm", "rm", "vm8"));
        Assert.StartsWith("switch bad2 removed at revision", await Ok("vswitch", "rm", "bad2"));
        Assert.DoesNotContain("left out", await Ok("vfp", "list-ports"));
        using var vms = JsonDocument.Parse(await Ok("vm", "ls", "-o", "json"));
        Assert.Equal(["vm1", "vm3"], vms.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()));
        Assert.Equal("Running", vms.RootElement[0].GetProperty("state").GetString());
        using var switches = JsonDocument.Parse(await Ok("vswitch", "ls", "-o", "json"));
        var sw = switches.RootElement.EnumerateArray().Single();
        // No node runs the switch on this store: its external port is not initialized, and the listing says why.
        Assert.Equal(("sw", "eth", 2, false), (sw.GetProperty("name").GetString(), sw.GetProperty("adapter").GetString(), sw.GetProperty("vmPorts").GetInt32(), sw.GetProperty("initialized").GetBoolean()));
        Assert.Equal("no node runs switch sw: none has an adapter or team named eth.", sw.GetProperty("down").GetString());
    }

    [Fact]
    public async Task A_second_switch_on_a_running_nodes_team_or_one_of_its_members_is_exit_2_naming_both_and_changes_nothing()
    {
        var adapters = string.Join(",", TempConfig.Adapter("pd0", """ "team": "t0", "simulated": { "mac": "02:00:00:00:01:01" }, """),
            TempConfig.Adapter("pd1", """ "team": "t0", "simulated": { "mac": "02:00:00:00:01:02" }, """), TempConfig.Adapter("pd2"));
        await using var node = await RunningNode.StartAsync(adapters: adapters);
        string[] endpoint = ["--endpoint", node.Endpoint];
        var created = await Run(["vswitch", "create", "sw", "--adapter", "t0", .. endpoint]);
        Assert.True(created.Exit == 0, created.Error);
        // The node lends the team's members to the switch once its agent has read the record (and written its status, teams included).
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await http.GetStringAsync($"{node.Endpoint}/status")).Contains("the external port of VM switch sw"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node never lent t0 to switch sw");
            await Task.Delay(100);
        }
        var before = await Run(["vfp", "list-ports", "-o", "json", .. endpoint]);

        foreach (var (adapter, message) in new[]
        {
            ("pd1", "pd: --adapter: pd1 is a member of team t0, already the external port of switch sw; switch sw2 cannot share it."),
            ("t0", "pd: --adapter: team t0 is already the external port of switch sw; switch sw2 cannot share it."),
        })
        {
            var (exit, _, error) = await Run(["vswitch", "create", "sw2", "--adapter", adapter, .. endpoint]);
            Assert.Equal(2, exit);
            Assert.Equal(message, error.Trim());
            Assert.Equal(before, await Run(["vfp", "list-ports", "-o", "json", .. endpoint]));
        }
        Assert.Equal(0, (await Run(["vswitch", "create", "sw2", "--adapter", "pd2", .. endpoint])).Exit);
    }
}
