using System.Diagnostics;
using System.Text.Json;

namespace PdCluster.Tests.Node;

/// <summary>The real <c>pd</c> executable, as the README runs it.</summary>
public sealed class NodeProcessTests
{
    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pd.dll"));
        foreach (var a in args)
            info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    [Fact]
    public async Task Node_run_reports_json_and_stops_cleanly_on_sigterm()
    {
        using var config = new TempConfig();
        using var node = Start("node", "run", "--config", config.Path, "-o", "json");
        try
        {
            var first = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(first);
            using (var report = JsonDocument.Parse(first!))
            {
                var queue = report.RootElement.GetProperty("queues")[0];
                Assert.Equal("Running", queue.GetProperty("state").GetString());
                // A queue that received packets spent some of its core on them, and never more than all of it.
                var busy = queue.GetProperty("busy_percent").GetDouble();
                Assert.InRange(busy, queue.GetProperty("rx_pps").GetInt64() > 0 ? double.Epsilon : 0, 100);
            }

            using var http = new HttpClient();
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{config.Port}/metrics");
            Assert.Contains("pd_rx_packets_total{adapter=\"pd0\",queue=\"0\"}", metrics);

            using (var kill = Process.Start("kill", ["-TERM", node.Id.ToString()]))
                await kill.WaitForExitAsync();
            await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, node.ExitCode);
        }
        finally
        {
            if (!node.HasExited)
                node.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_bad_config_stops_the_node_at_start_naming_file_and_key()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0", "\"queues\": 0,"));
        using var node = Start("node", "run", "--config", config.Path);
        var error = await node.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await node.WaitForExitAsync();
        Assert.Equal(2, node.ExitCode);
        Assert.Contains($"{config.Path}: adapters[0].queues: must be between 1 and 16 (got 0)", error);
    }
}
