using System.CommandLine;
using System.Diagnostics;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd node run</c>: runs a node until SIGTERM, SIGINT (Ctrl-C), SIGHUP or --duration, reporting per-queue rates once a second.</summary>
internal static class NodeRunCommand
{
    /// <summary>The command; <paramref name="signals"/> are the ones Program registered first thing, if it did (else the command registers its own).</summary>
    public static Command Create(NodeSignals? signals = null)
    {
        var config = CommonOptions.Config();
        var duration = CommonOptions.Duration();
        var output = CommonOptions.Output();
        var command = new Command("run", "Run a node. The embedded default is a simulated ConnectX-3 Pro wired to a traffic generator.");
        command.Options.Add(config);
        command.Options.Add(duration);
        command.Options.Add(output);
        command.SetAction((result, _) => RunAsync(signals, result.GetValue(config)?.FullName, result.GetValue(duration), result.GetValue(output) == "json"));
        return command;
    }

    private static async Task<int> RunAsync(NodeSignals? registered, string? configPath, double? duration, bool json)
    {
        // Before anything starts: from here on SIGTERM, SIGINT and SIGHUP stop the node cleanly instead of killing it.
        using var owned = registered is null ? new NodeSignals() : null;
        var signals = registered ?? owned!;
        LoadedConfig config;
        NodeHost host;
        try
        {
            config = NodeConfigLoader.Load(NodeConfigLoader.Resolve(configPath));
            if (signals.Received is { } early)
            {
                Say(json, $"stopped ({early}) before the node started: nothing was running", "green");
                return 0;
            }
            host = await NodeHost.StartAsync(config, stopping: signals.Stopping);
        }
        catch (ConfigException e)
        {
            return CommonOptions.Fail(e.Message);
        }

        signals.Attach(host.System.CoordinatedShutdown);
        if (duration is { } seconds)
            _ = Task.Delay(TimeSpan.FromSeconds(seconds)).ContinueWith(_ => host.System.CoordinatedShutdown.Run("duration"), TaskScheduler.Default);
        Say(json, $"pd node {config.Config.Node} from {config.Source} · {config.Filters.Count} filters · admin {host.AdminUrl} · Ctrl-C to stop", "bold");

        var clock = Stopwatch.StartNew();
        var before = NodeReport.Sample(host);
        var switchesBefore = await host.SwitchStatusAsync();
        var last = clock.Elapsed;
        while (host.System.CoordinatedShutdown.Reason is null)
        {
            await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(1), signals.Stopping), host.System.WhenTerminated);
            // A sample taken while the queues stop would show them half gone: the last report is the last full second.
            if (host.System.CoordinatedShutdown.Reason is not null)
                break;
            var now = clock.Elapsed;
            var switches = await host.SwitchStatusAsync();
            var ports = PortRates.Between(switchesBefore, switches, (now - last).TotalSeconds);
            var report = NodeReport.Between(host, before, (now - last).TotalSeconds, now.TotalSeconds) with { Ports = ports.Count == 0 ? null : ports, SwitchesDown = NodeReport.Down(switches) };
            before = NodeReport.Sample(host);
            switchesBefore = switches;
            last = now;
            if (json)
                report.WriteJson(Console.Out);
            else
                report.WriteTable(AnsiConsole.Console);
        }
        await host.ShutdownAsync("stopped");
        var missing = host.MissingBuffers;
        var home = missing is null;
        var reason = host.System.CoordinatedShutdown.Reason ?? "stopped";
        if (home)
            Say(json, $"stopped ({reason}): every buffer is back in its pool", "green");
        else
            TerminalText.Error($"pd: stopped ({reason}): {missing}");
        foreach (var failure in host.GivenUp)
            TerminalText.Error($"pd: {failure}");
        return home && host.GivenUp.Count == 0 ? 0 : 1;
    }

    /// <summary>A line for the operator: on the console in table mode, on standard error beside JSON output (which stays pure JSON lines).</summary>
    private static void Say(bool json, string text, string style)
    {
        if (json)
            TerminalText.Error(text);
        else
            AnsiConsole.MarkupLine($"[{style}]{TerminalText.Cell(text)}[/]");
    }
}
