using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

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

    private const int Sigterm = 15;
    private const int Sighup = 1;

    private static async Task Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Waits until <c>pd</c> catches SIGHUP, which only its own registration (the first thing it does) makes it do: from
    /// then on every signal is the node's to handle.
    /// </summary>
    private static async Task WaitUntilSignalsAreHandled(Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var caught = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
            if (caught is not null && (ulong.Parse(caught["SigCgt:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (Sighup - 1))) != 0)
                return;
            await Task.Delay(5);
        }
        Assert.Fail("pd never registered its signal handlers.");
    }

    private static string Plain(string console) => Regex.Replace(console, "\x1b\\[[0-9;]*m", "");

    /// <summary>Runs a node in table mode, sends <paramref name="signal"/> when <paramref name="when"/> says, and returns exit code, stdout and stderr.</summary>
    private static async Task<(int Exit, string Output, string Error)> StopWith(string signal, Func<Process, TempConfig, Task> when)
    {
        using var config = new TempConfig();
        using var node = Start("node", "run", "--config", config.Path);
        try
        {
            var output = node.StandardOutput.ReadToEndAsync();
            var error = node.StandardError.ReadToEndAsync();
            await when(node, config);
            await Signal(node, signal);
            await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (node.ExitCode, Plain(await output), await error);
        }
        finally
        {
            if (!node.HasExited)
                node.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("TERM", 0)]
    [InlineData("TERM", 50)]
    [InlineData("TERM", 150)]
    [InlineData("TERM", 300)]
    [InlineData("HUP", 0)]
    [InlineData("HUP", 150)]
    public async Task A_signal_at_any_point_of_startup_stops_the_node_cleanly(string signal, int afterRegistration)
    {
        var (exit, output, error) = await StopWith(signal, async (node, _) =>
        {
            await WaitUntilSignalsAreHandled(node);
            await Task.Delay(afterRegistration);
        });
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        // Before the node existed nothing was running; after, coordinated shutdown brought every buffer home.
        Assert.Matches($"stopped \\(SIG{signal}\\)( before the node started: nothing was running|: every buffer is back in its pool)", output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    public async Task A_sigterm_right_after_launch_stops_cleanly_or_before_pd_runs_any_code(int afterLaunch)
    {
        var (exit, output, error) = await StopWith("TERM", (_, _) => Task.Delay(afterLaunch));
        // In the runtime's own start, before pd's first statement registers its handlers, SIGTERM ends the process
        // as it ends any process (status 128 + 15); nothing was started and nothing is printed. From then on: clean.
        if (exit == 128 + Sigterm)
            Assert.Equal("", output + error);
        else
            Assert.Matches("^stopped \\(SIGTERM\\)( before the node started: nothing was running|: every buffer is back in its pool)", output.Trim().Split('\n')[^1]);
        Assert.Contains(exit, new[] { 0, 128 + Sigterm });
    }

    [Fact]
    public async Task A_running_node_stops_cleanly_on_sighup()
    {
        var (exit, output, _) = await StopWith("HUP", async (node, config) =>
        {
            // The admin endpoint answers once the node exists and runs.
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !node.HasExited)
            {
                try
                {
                    await http.GetStringAsync($"http://127.0.0.1:{config.Port}/metrics");
                    return;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(50);
                }
            }
        });
        Assert.Equal(0, exit);
        Assert.Contains("stopped (SIGHUP): every buffer is back in its pool", output);
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
