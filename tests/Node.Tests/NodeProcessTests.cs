using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PdCluster.Tests.Node;

/// <summary>The real <c>pd</c> executable, as the README runs it.</summary>
public sealed class NodeProcessTests
{
    internal static Process Start(params string[] args)
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
                // The simulated adapter's lab generator reports what it sent.
                Assert.True(report.RootElement.GetProperty("generator_sent").GetInt64() >= 0);
                var queue = report.RootElement.GetProperty("queues")[0];
                Assert.Equal("Running", queue.GetProperty("state").GetString());
                // A queue that received packets spent some of its core on them, and never more than all of it.
                var busy = queue.GetProperty("busy_percent").GetDouble();
                Assert.InRange(busy, queue.GetProperty("rx_pps").GetInt64() > 0 ? double.Epsilon : 0, 100);
            }

            using var http = new HttpClient();
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{config.Port}/metrics");
            Assert.Contains("pd_rx_packets_total{adapter=\"pd0\",queue=\"0\"}", metrics);

            // Both pipes are read to their end from here on, so a node writing on is never blocked by a full pipe, and
            // what it wrote explains a stop that does not come.
            var rest = node.StandardOutput.ReadToEndAsync();
            var errors = new StringBuilder();
            node.ErrorDataReceived += (_, e) =>
            {
                lock (errors)
                    errors.AppendLine(e.Data);
            };
            node.BeginErrorReadLine();
            string Errors()
            {
                lock (errors)
                    return errors.ToString();
            }
            using (var kill = Process.Start("kill", ["-TERM", node.Id.ToString()]))
                await kill.WaitForExitAsync();
            await Task.WhenAny(node.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(node.HasExited, $"the node did not stop within 30 s of SIGTERM; its standard error so far:\n{Errors()}");
            var output = await rest;
            Assert.True(0 == node.ExitCode, $"exit code {node.ExitCode}; standard error:\n{Errors()}\nlast output:\n{output[^Math.Min(output.Length, 2000)..]}");
        }
        finally
        {
            if (!node.HasExited)
                node.Kill(entireProcessTree: true);
        }
    }

    private const int Sigterm = 15;
    private const int Sighup = 1;

    internal static async Task Signal(Process process, string signal)
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
            return (node.ExitCode, await output, await error);
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

    /// <summary>Runs <c>pd</c> to its end; returns its exit code, output and errors.</summary>
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var pd = Start(args);
        var output = pd.StandardOutput.ReadToEndAsync();
        var error = pd.StandardError.ReadToEndAsync();
        try
        {
            await pd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!pd.HasExited)
                pd.Kill(entireProcessTree: true);
        }
        return (pd.ExitCode, await output, await error);
    }

    private static void AssertNoStackTrace(string error)
    {
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("null", "the file holds null")]
    [InlineData("{ \"adapters\": [ null ] }", "adapters[0]: must not be null.")]
    [InlineData("{ \"adapters\": [ { \"name\": \"pd0\", \"buffers\": 2147483647 } ] }", "adapters[0].buffers: must be at least")]
    public async Task A_bad_config_exits_2_with_a_message_and_no_stack_trace(string json, string expected)
    {
        using var config = new TempConfig();
        File.WriteAllText(config.Path, json);
        var (exit, _, error) = await RunAsync("node", "run", "--config", config.Path);
        Assert.Equal(2, exit);
        Assert.StartsWith($"pd: {config.Path}: ", error);
        Assert.Contains(expected, error);
        AssertNoStackTrace(error);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e20")]
    [InlineData("5184000")]
    [InlineData("0")]
    [InlineData("soon")]
    public async Task A_duration_that_is_not_a_sane_number_of_seconds_exits_2(string duration)
    {
        using var config = new TempConfig();
        var (exit, _, error) = await RunAsync("node", "run", "--config", config.Path, "--duration", duration);
        Assert.Equal(2, exit);
        Assert.Contains($"pd: --duration: '{duration}' is not a number of seconds above 0 and at most 604800 (a week).", error);
        AssertNoStackTrace(error);
    }

    [Theory]
    [InlineData("not-a-url")]
    [InlineData("/admin")]
    [InlineData("ftp://127.0.0.1:9470")]
    public async Task Inject_with_an_endpoint_that_is_not_a_url_exits_2(string endpoint)
    {
        var (exit, _, error) = await RunAsync("adapter", "inject", "pd0", "d3", "--endpoint", endpoint);
        Assert.Equal(2, exit);
        Assert.Contains($"pd: --endpoint: '{endpoint}' is not an http:// URL", error);
        AssertNoStackTrace(error);
    }

    [Fact]
    public async Task Inject_against_an_endpoint_that_never_answers_gives_up_after_5_s_with_exit_1()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();
        var (exit, _, error) = await RunAsync("adapter", "inject", "pd0", "d3", "--endpoint", $"http://127.0.0.1:{port}");
        Assert.Equal(1, exit);
        Assert.Contains($"pd: http://127.0.0.1:{port}/ did not answer within 5 s", error);
        Assert.InRange(clock.Elapsed.TotalSeconds, 4.5, 20);
        AssertNoStackTrace(error);
    }

    [Fact]
    public async Task Inject_against_a_closed_port_is_a_runtime_failure_exit_1()
    {
        int port;
        using (var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            closed.Start();
            port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        }
        var (exit, _, error) = await RunAsync("adapter", "inject", "pd0", "d3", "--endpoint", $"http://127.0.0.1:{port}");
        Assert.Equal(1, exit);
        Assert.Contains($"pd: no node answers at http://127.0.0.1:{port}/", error);
    }

    [Theory]
    [InlineData("rules-dir")]
    [InlineData("pcap-dir")]
    [InlineData("rules-unreadable")]
    [InlineData("pcap-missing")]
    public async Task Filter_test_refuses_directories_and_unreadable_files_with_exit_2(string problem)
    {
        using var config = new TempConfig();
        var rules = Path.Combine(config.Directory, "rules.json");
        File.WriteAllText(rules, """[{ "id": "all" }]""");
        var pcap = Path.Combine(config.Directory, "none.pcap");
        var (args, expected) = problem switch
        {
            "rules-dir" => ((string[])["--rules", config.Directory, "--pcap", pcap], $"pd: {config.Directory}: is a directory, not a file."),
            "pcap-dir" => (["--rules", rules, "--pcap", config.Directory], $"pd: {config.Directory}: is a directory, not a file."),
            "rules-unreadable" => (["--rules", "/proc/self/mem", "--pcap", pcap], "pd: /proc/self/mem: cannot be read: "),
            _ => (["--rules", rules, "--pcap", pcap], $"pd: {pcap}: no such file."),
        };
        var (exit, _, error) = await RunAsync(["filter", "test", .. args]);
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error);
        AssertNoStackTrace(error);
    }

    [Fact]
    public async Task A_table_written_to_a_pipe_is_plain_text_a_line_per_row()
    {
        using var config = new TempConfig();
        var (exit, output, error) = await RunAsync("adapter", "list", "--config", config.Path);
        Assert.True(exit == 0, error);
        Assert.DoesNotContain('\x1b', output);
        // The row names its device whole: a terminal's 80 columns would wrap "ConnectX-3 Pro (15b3:1007)" onto three lines.
        Assert.Contains(output.Split('\n'), line => line.Contains("pd0", StringComparison.Ordinal) && line.Contains("ConnectX-3 Pro (15b3:1007)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_usage_error_exits_2()
    {
        var (exit, _, error) = await RunAsync("adapter", "frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("pd: Unrecognized command or argument 'frobnicate'.", error);
        Assert.Contains("pd: see 'pd adapter --help'.", error);
    }

    [Fact]
    public async Task An_admin_endpoint_on_port_0_is_announced_with_the_port_it_bound()
    {
        using var config = new TempConfig();
        File.WriteAllText(config.Path, File.ReadAllText(config.Path).Replace($"127.0.0.1:{config.Port}", "127.0.0.1:0"));
        var (exit, output, error) = await RunAsync("node", "run", "--config", config.Path, "--duration", "0.5");
        Assert.True(exit == 0, error);
        var banner = Regex.Match(output, @"admin\s+http://127\.0\.0\.1:(\d+)");
        Assert.True(banner.Success, output);
        Assert.NotEqual(0, int.Parse(banner.Groups[1].Value));
    }
}
