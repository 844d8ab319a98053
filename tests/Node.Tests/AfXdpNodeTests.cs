using System.Diagnostics;
using System.Text.Json;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Node;

/// <summary>
/// A node whose adapter is provider afxdp on one end of a veth pair: its queue takes all of the interface's traffic,
/// and the host still answers the peer's ARP (the exception stage) and ping (an <c>os</c> filter) through the OS path.
/// </summary>
public sealed class AfXdpNodeTests
{
    private const string Filters = """
        [
          { "id": "host-icmp", "priority": 0, "action": "os", "match": { "protocol": "icmp", "destinationIp": "198.18.1.1" } },
          { "id": "count-rest", "priority": 100, "action": "count" }
        ]
        """;

    [VethFact]
    public async Task A_node_taking_all_of_a_veth_interfaces_traffic_still_answers_the_peers_ping_and_arp()
    {
        using var veth = new VethPair();
        using var config = new TempConfig(
            $$"""{ "name": "pd0", "provider": "afxdp", "interface": "{{veth.DeviceInterface}}", "namespace": "{{veth.DeviceNamespace}}", "queues": 1, "queueSize": 256, "buffers": 1024 }""",
            "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), Filters);
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            await Eventually(async () => (await Queue(http)).State == "Running", "the adapter running");
            veth.ForgetNeighbours();

            veth.AssertDeviceAnswersPingAndArp();
            var (_, received, toOs) = await Queue(http);
            Assert.True(toOs >= 5 && received >= toOs, $"the queue received {received} frames and handed {toOs} to the OS path (3 echo requests, 2 or more ARP)");
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
        Assert.DoesNotContain("pdos", VethPair.Run("ip", $"-n {veth.DeviceNamespace} -o link show").Output);
    }

    [VethFact]
    public async Task A_pool_over_RLIMIT_MEMLOCK_without_CAP_IPC_LOCK_is_refused_naming_the_buffers_key()
    {
        // pd runs with an 8 MiB RLIMIT_MEMLOCK and without CAP_IPC_LOCK (prlimit, setpriv): 4,096 buffers of 2,112 bytes
        // hold a 2,048-slot receive ring and a 1,024-slot transmit ring, but their UMEM cannot be locked.
        using var veth = new VethPair();
        using var config = new TempConfig(
            $$"""{ "name": "pd0", "provider": "afxdp", "interface": "{{veth.DeviceInterface}}", "namespace": "{{veth.DeviceNamespace}}", "queues": 1, "queueSize": 1024, "receiveQueueSize": 2048, "buffers": 4096 }""",
            "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), Filters);
        var info = new ProcessStartInfo("prlimit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--memlock=8388608", "setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "dotnet", Path.Combine(AppContext.BaseDirectory, "pd.dll"), "node", "run", "--config", config.Path })
            info.ArgumentList.Add(a);
        using var pd = Process.Start(info)!;
        var error = pd.StandardError.ReadToEndAsync();
        await pd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var text = await error;
        Assert.Equal(2, pd.ExitCode);
        Assert.Contains($"{config.Path}: adapters[0].buffers: The UMEM (the buffer pool, 8448 KiB) is over RLIMIT_MEMLOCK (8192 KiB) and the process lacks CAP_IPC_LOCK", text);
        Assert.Contains("The rings need at least queues × (receiveQueueSize + queueSize) = 3072 buffers of 2112 bytes.", text);
        Assert.DoesNotContain("   at ", text);
    }

    /// <summary>The adapter's state and its queue's received and handed-to-OS counts, from <c>/status</c>.</summary>
    private static async Task<(string State, long Received, long ToOs)> Queue(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        var adapter = status.RootElement.GetProperty("adapters")[0];
        var queues = adapter.GetProperty("queues");
        return queues.GetArrayLength() == 0
            ? (adapter.GetProperty("state").GetString()!, 0, 0)
            : (adapter.GetProperty("state").GetString()!, queues[0].GetProperty("received").GetInt64(), queues[0].GetProperty("toOs").GetInt64());
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
