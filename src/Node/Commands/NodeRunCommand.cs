using System.CommandLine;
using System.Diagnostics;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd node run</c>: runs a node until Ctrl-C, SIGTERM or --duration, reporting per-queue rates once a second.</summary>
internal static class NodeRunCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var duration = CommonOptions.Duration();
        var output = CommonOptions.Output();
        var command = new Command("run", "Run a node. The embedded default is a simulated ConnectX-3 Pro wired to a traffic generator.");
        command.Options.Add(config);
        command.Options.Add(duration);
        command.Options.Add(output);
        command.SetAction((result, _) => RunAsync(result.GetValue(config)?.FullName, result.GetValue(duration), result.GetValue(output) == "json"));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, double? duration, bool json)
    {
        LoadedConfig config;
        NodeHost host;
        try
        {
            config = NodeConfigLoader.Load(NodeConfigLoader.Resolve(configPath));
            host = await NodeHost.StartAsync(config);
        }
        catch (ConfigException e)
        {
            return CommonOptions.Fail(e.Message);
        }

        using var signals = host.System.CoordinatedShutdown.RunOnSignals();
        if (duration is { } seconds)
            _ = Task.Delay(TimeSpan.FromSeconds(seconds)).ContinueWith(_ => host.System.CoordinatedShutdown.Run("duration"), TaskScheduler.Default);
        if (!json)
            AnsiConsole.MarkupLine($"[bold]pd node[/] {Markup.Escape(config.Config.Node)} from {Markup.Escape(config.Source)} · {config.Filters.Count} filters · admin {host.AdminUrl} · Ctrl-C to stop");

        var clock = Stopwatch.StartNew();
        var before = NodeReport.Sample(host);
        var last = clock.Elapsed;
        while (host.System.CoordinatedShutdown.Reason is null)
        {
            await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(1)), host.System.WhenTerminated);
            var now = clock.Elapsed;
            var report = NodeReport.Between(host, before, (now - last).TotalSeconds, now.TotalSeconds);
            before = NodeReport.Sample(host);
            last = now;
            if (json)
                report.WriteJson(Console.Out);
            else
                report.WriteTable(AnsiConsole.Console);
        }
        await host.ShutdownAsync("stopped");
        var home = host.AllBuffersHome;
        if (!json)
            AnsiConsole.MarkupLine(home ? "[green]stopped: every buffer is back in its pool[/]" : "[red]stopped: buffers are missing from a pool[/]");
        foreach (var failure in host.GivenUp)
            Console.Error.WriteLine($"pd: {failure}");
        return home && host.GivenUp.Count == 0 ? 0 : 1;
    }
}
