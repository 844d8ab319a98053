using System.Text.Json;

namespace PdCluster.Tests.Node;

/// <summary>
/// The WinOF walkthrough against a real <c>pd node run</c> (simulated adapters, its in-memory store) through the admin
/// endpoint: the switch takes pd1 from the node, a simulated VM starts blocked, disable-port lets its traffic through,
/// a reboot blocks it again, bad input changes nothing, and removing the switch gives pd1 back to the node.
/// </summary>
public sealed class VSwitchNodeTests
{
    private static readonly string Adapters = TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("pd1", "\"simulated\": { \"mac\": \"02:00:00:00:01:02\", \"generator\": { \"rate\": 20000, \"flows\": [ { \"source\": \"198.18.2.10\", \"destination\": \"198.18.3.1\", \"protocol\": \"udp\", \"sourcePort\": 1, \"destinationPort\": 2 }, "
        + "{ \"source\": \"198.18.2.11\", \"destination\": \"198.18.3.10\", \"protocol\": \"udp\", \"sourcePort\": 40053, \"destinationPort\": 53, \"destinationMac\": \"00:15:5d:00:00:01\" }, "
        + "{ \"source\": \"198.18.2.11\", \"destination\": \"198.18.3.10\", \"protocol\": \"udp\", \"sourcePort\": 40054, \"destinationPort\": 5001, \"destinationMac\": \"00:15:5d:00:00:01\" } ] } },");

    [Fact]
    public async Task The_walkthrough_runs_through_the_endpoint_and_the_adapter_goes_back_to_the_node()
    {
        await using var node = await ClusterCommandTests.RunningNode.StartAsync(adapters: Adapters);
        string[] at = ["--endpoint", node.Endpoint];
        using var http = new HttpClient();

        await Ok("vswitch", "create", "sw", "--adapter", "pd1");
        await Ok("vswitch", "extension", "enable", "sw", "vfp");
        await Ok("vm", "adapter", "add", "vm1", "--switch", "sw", "--static-mac", "00:15:5d:00:00:01");
        await Ok("vm", "start", "vm1");
        Assert.Equal("Lent", await AdapterState(http, node, "pd1"));
        Assert.Equal("Running", await AdapterState(http, node, "pd0"));

        var ports = await Ports();
        var port = ports.Single(p => p.GetProperty("type").GetString() == "Vm");
        var name = port.GetProperty("portName").GetString()!;
        Assert.True(port.GetProperty("blocked").GetBoolean());
        Assert.Contains(ports, p => p.GetProperty("type").GetString() == "External" && p.GetProperty("nicName").GetString() == "pd1");
        // Blocked both ways: what the VM sends is counted as blocked, nothing leaves for the wire.
        var blocked = await AwaitPort(http, node, p => p.GetProperty("outboundBlocked").GetInt64() > 0);
        Assert.Equal(0, blocked.GetProperty("outbound").GetInt64());

        await Ok("vfp", "disable-port", "--port", name);
        await AwaitPort(http, node, p => p.GetProperty("outbound").GetInt64() > 0 && !p.GetProperty("blocked").GetBoolean());

        // Start-VM on a running VM changes nothing: refused, and the port the operator disabled stays disabled.
        await Refused("VM vm1 is already running; nothing changed", "vm", "start", "vm1");
        Assert.True((await Ports()).Single(p => p.GetProperty("type").GetString() == "Vm").GetProperty("disabled").GetBoolean());
        await Task.Delay(300);
        Assert.True((await AwaitPort(http, node, p => true)).GetProperty("disabled").GetBoolean());
        await Refused("--port: pd1 is the external port of switch sw; VFP applies to VM ports", "vfp", "disable-port", "--port", "pd1");

        // The admin routes' bodies: a missing, null or unknown key is 400 naming it, and nothing is written.
        var records = await Records(http, node);
        await BadBody("vswitch/switches", """{"name":"x1"}""", "the request body: adapter: is required.");
        await BadBody("vswitch/switches", """{"name":"x1","adapter":"pd0","zzz":1}""", "the request body: zzz: is not a key here");
        await BadBody("vswitch/vms/vm3/adapters", """{"switch":"sw","staticMac":null}""", "the request body: staticMac: must not be null");
        await BadBody("vswitch/vms/vm3/adapters", """{"switch":"sw","staticMac":"00:15:5d:00:00:03","address":7}""", "the request body: address: must be");
        Assert.Equal(records, await Records(http, node));

        // Bad input through the endpoint: exit code 2, the problem named, nothing written.
        var before = await Records(http, node);
        await Refused("no switch 'nope'", "vm", "adapter", "add", "vm2", "--switch", "nope", "--static-mac", "00:15:5d:00:00:09");
        await Refused("no port 'nope'", "vfp", "disable-port", "--port", "nope");
        await Refused("no VM 'ghost'", "vm", "start", "ghost");
        await Refused("is running", "vm", "adapter", "add", "vm1", "--switch", "sw", "--static-mac", "00:15:5d:00:00:02");
        await Refused("already the MAC of VM vm1", "vm", "adapter", "add", "vm2", "--switch", "sw", "--static-mac", "00:15:5d:00:00:01");
        await Refused("is running on switch sw", "vswitch", "rm", "sw");
        await Refused("already exists", "vswitch", "create", "sw", "--adapter", "pd1");
        await Refused("--adapter: node test-node has no adapter or team 'nosuch' (its own: pd0, pd1)", "vswitch", "create", "sw3", "--adapter", "nosuch");
        Assert.Equal(before, await Records(http, node));
        // A rule id with '/' reaches the catalog whole through the endpoint (a rule filed under a nested key is removed so).
        using (var nested = await http.DeleteAsync($"{node.Endpoint}/vswitch/ports/{name}/rules/{Uri.EscapeDataString("sub/nested")}"))
            Assert.Equal($"ID: port {name} has no rule 'sub/nested' (pd vfp rule ls --port {name} lists them).",
                JsonDocument.Parse(await nested.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        // The external port as the node reports it: initialized, on pd1, with pd1's MAC; the listings of switches and VMs.
        var external = Assert.Single(await Ports(), p => p.GetProperty("type").GetString() == "External");
        Assert.Equal((true, "pd1", "02:00:00:00:01:02"), (external.GetProperty("initialized").GetBoolean(), external.GetProperty("nicName").GetString(), external.GetProperty("mac").GetString()));
        var (swExit, switches, swError) = await ClusterCommandTests.Run(["vswitch", "ls", .. at]);
        Assert.True(swExit == 0, swError);
        Assert.Contains("02:00:00:00:01:02", switches);
        var (vmExit, vms, vmError) = await ClusterCommandTests.Run(["vm", "ls", "-o", "json", .. at]);
        Assert.True(vmExit == 0, vmError);
        Assert.Equal(("vm1", "Running", "00:15:5d:00:00:01"), JsonDocument.Parse(vms).RootElement.EnumerateArray().Single() is var vm
            ? (vm.GetProperty("name").GetString(), vm.GetProperty("state").GetString(), vm.GetProperty("adapters")[0].GetProperty("staticMac").GetString()) : default);

        // A reboot: the port comes back enabled, so blocked.
        await Ok("vm", "stop", "vm1");
        await Ok("vm", "start", "vm1");
        Assert.True((await Ports()).Single(p => p.GetProperty("type").GetString() == "Vm").GetProperty("blocked").GetBoolean());
        await AwaitPort(http, node, p => p.GetProperty("blocked").GetBoolean() && p.GetProperty("outbound").GetInt64() == 0 && p.GetProperty("outboundBlocked").GetInt64() > 0);

        // A VFP rule through the endpoint: outbound allowed, so what the VM sends passes; ls lists it, rm takes it away.
        string[] allowOut = ["vfp", "rule", "add", "--port", name, "--id", "out", "--layer", "acl", "--group", "out", "--direction", "outbound", "--action", "allow"];
        await Ok(allowOut);
        await AwaitPort(http, node, p => !p.GetProperty("blocked").GetBoolean() && p.GetProperty("outbound").GetInt64() > 0);

        // The walkthrough's inbound rule, seen to work: pd1's generator sends the VM UDP to ports 53 and 5001; 53 passes,
        // 5001 (and the flooded ARP) stays blocked, and the rule's counter climbs in /metrics.
        await Ok("vfp", "rule", "add", "--port", name, "--id", "in-53", "--layer", "acl", "--group", "in", "--direction", "inbound",
            "--match", "protocol=udp", "--match", "destinationPort=53", "--action", "allow");
        var inbound = await AwaitPort(http, node, p => p.GetProperty("inbound").GetInt64() > 100 && p.GetProperty("inboundBlocked").GetInt64() > 100);
        var metrics = await http.GetStringAsync($"{node.Endpoint}/metrics");
        var in53 = System.Text.RegularExpressions.Regex.Match(metrics, "pd_vfp_rule_packets_total\\{[^}]*rule=\"in-53\"[^}]*verdict=\"allowed\"[^}]*\\} (\\d+)");
        Assert.True(in53.Success && long.Parse(in53.Groups[1].Value) > 0, $"no allowed packets counted for in-53: {inbound}");
        await Ok("vfp", "rule", "rm", "in-53", "--port", name);
        var (lsExit, rules, lsError) = await ClusterCommandTests.Run(["vfp", "rule", "ls", "--port", name, "-o", "json", .. at]);
        Assert.True(lsExit == 0, lsError);
        Assert.Equal("out", JsonDocument.Parse(rules).RootElement.EnumerateArray().Single().GetProperty("id").GetString());
        await Refused("already has a rule 'out'", allowOut);
        await Refused("no port 'nope'", "vfp", "rule", "rm", "out", "--port", "nope");
        await Ok("vfp", "rule", "rm", "out", "--port", name);
        await AwaitPort(http, node, p => p.GetProperty("blocked").GetBoolean());

        await Ok("vm", "stop", "vm1");
        await Ok("vswitch", "rm", "sw");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await AdapterState(http, node, "pd1") != "Running")
        {
            Assert.True(DateTime.UtcNow < deadline, "pd1 did not go back to the node's own queues after the switch was removed");
            await Task.Delay(100);
        }

        async Task Ok(params string[] args)
        {
            var (exit, output, error) = await ClusterCommandTests.Run([.. args, .. at]);
            Assert.True(exit == 0, $"pd {string.Join(' ', args)}: exit {exit}: {error}");
            Assert.Contains("at revision", output);
        }

        async Task Refused(string problem, params string[] args)
        {
            var (exit, _, error) = await ClusterCommandTests.Run([.. args, .. at]);
            Assert.Equal(2, exit);
            Assert.Contains(problem, error);
            Assert.DoesNotContain("   at ", error);
        }

        async Task BadBody(string route, string body, string problem)
        {
            using var answer = await http.PostAsync($"{node.Endpoint}/{route}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            var text = await answer.Content.ReadAsStringAsync();
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.StartsWith(problem, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
        }

        async Task<List<JsonElement>> Ports()
        {
            var (exit, output, error) = await ClusterCommandTests.Run(["vfp", "list-ports", "-o", "json", .. at]);
            Assert.True(exit == 0, error);
            return [.. JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.Clone())];
        }
    }

    private static async Task<string?> AdapterState(HttpClient http, ClusterCommandTests.RunningNode node, string adapter)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync($"{node.Endpoint}/status"));
        return status.RootElement.GetProperty("adapters").EnumerateArray().Single(a => a.GetProperty("adapter").GetString() == adapter).GetProperty("state").GetString();
    }

    /// <summary>The switch's VM port once <paramref name="until"/> holds for it (the live status, <c>GET /vswitch/status</c>).</summary>
    private static async Task<JsonElement> AwaitPort(HttpClient http, ClusterCommandTests.RunningNode node, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync($"{node.Endpoint}/vswitch/status"));
            var port = status.RootElement.EnumerateArray().SelectMany(s => s.GetProperty("ports").EnumerateArray()).Select(p => p.Clone()).FirstOrDefault();
            if (port.ValueKind == JsonValueKind.Object && until(port))
                return port;
            Assert.True(DateTime.UtcNow < deadline, $"the port never got there; last: {port}");
            await Task.Delay(200);
        }
    }

    /// <summary>The switch's records as the endpoint lists them, without the live counters.</summary>
    private static async Task<string> Records(HttpClient http, ClusterCommandTests.RunningNode node) =>
        await http.GetStringAsync($"{node.Endpoint}/vswitch/ports");
}
