using System.Text.Json;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Node;

/// <summary>
/// A node whose adapter is an afpacket veth end: <c>pd vswitch create</c> through the endpoint takes it from the node, a VM
/// (a network namespace with the static MAC and an address) pings the veth's peer through the switch once its port is
/// disabled, and removing the switch gives the adapter back to the node's own queues with every buffer home.
/// </summary>
public sealed class VSwitchVethNodeTests
{
    [VethFact]
    public async Task A_namespace_vm_pings_through_the_nodes_switch_and_the_adapter_goes_back()
    {
        using var veth = new VethPair();
        veth.ForgetNeighbours();
        using var config = new TempConfig(
            $$"""{ "name": "pd0", "provider": "afpacket", "interface": "{{veth.DeviceInterface}}", "namespace": "{{veth.DeviceNamespace}}", "queues": 1, "queueSize": 256, "buffers": 2048 }""",
            "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), "[]");
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        var vm = $"n{Environment.ProcessId % 100000}";
        string[] at = ["--endpoint", host.AdminUrl];
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            await Ok("vswitch", "create", "sw", "--adapter", "pd0");
            await Ok("vswitch", "extension", "enable", "sw", "vfp");
            await Ok("vm", "adapter", "add", vm, "--switch", "sw", "--static-mac", "00:15:5d:00:00:01", "--address", "198.18.1.11/15");
            await Ok("vm", "start", vm);
            await Eventually(() => Task.FromResult(VethPair.Run("ip", "netns list").Output.Contains($"pdvm-{vm}")), "the VM's namespace");
            Assert.Equal("Lent", await State(http));
            Assert.False(Ping(vm), "the VM's port with VFP on and no rules lets its ping through");

            using (var ports = JsonDocument.Parse(await http.GetStringAsync("/vswitch/ports")))
            {
                var port = ports.RootElement.EnumerateArray().Single(p => p.GetProperty("type").GetString() == "Vm").GetProperty("portName").GetString()!;
                await Ok("vfp", "disable-port", "--port", port);
            }
            await Eventually(() => Task.FromResult(Ping(vm)), "the VM pinging the wire once its port is disabled");

            await Ok("vm", "stop", vm);
            await Eventually(() => Task.FromResult(!VethPair.Run("ip", "netns list").Output.Contains($"pdvm-{vm}")), "the VM's namespace gone");
            await Ok("vswitch", "rm", "sw");
            await Eventually(async () => await State(http) == "Running", "pd0 back on the node's own queues");
            // The node's own queue takes pd0's traffic again: the peer's ARP and echo requests reach it.
            VethPair.Run("ip", $"netns exec {veth.PeerNamespace} ping -c 3 -i 0.2 -W 1 198.18.1.1");
            await Eventually(async () => await Received(http) > 0, "pd0's own queue receiving again");
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
        Assert.DoesNotContain($"pdvm-{vm}", VethPair.Run("ip", "netns list").Output);

        async Task Ok(params string[] args)
        {
            var (exit, _, error) = await ClusterCommandTests.Run([.. args, .. at]);
            Assert.True(exit == 0, $"pd {string.Join(' ', args)}: exit {exit}: {error}");
        }
    }

    private static bool Ping(string vm) => VethPair.Run("ip", $"netns exec pdvm-{vm} ping -c 2 -i 0.2 -W 1 198.18.0.1").Code == 0;

    private static async Task<string?> State(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        return status.RootElement.GetProperty("adapters")[0].GetProperty("state").GetString();
    }

    private static async Task<long> Received(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        return status.RootElement.GetProperty("adapters")[0].GetProperty("queues").EnumerateArray().Sum(q => q.GetProperty("received").GetInt64());
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never saw {what}");
            await Task.Delay(200);
        }
    }
}
