using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using PdCluster.Queues.Classification;
using Spectre.Console;

namespace PdCluster.Node;

/// <summary><c>pd node run</c>: runs the embedded default node and reports per-queue rates once a second.</summary>
internal static class NodeRunCommand
{
    public static Command Create()
    {
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: run until Ctrl-C or SIGTERM)." };
        var rate = new Option<long>("--rate") { Description = "Generator rate in packets per second (0 = as fast as possible).", DefaultValueFactory = _ => 200_000 };
        var filters = new Option<FileInfo?>("--filters") { Description = "JSON file of filters to use instead of the embedded default (see cluster-config/default-filters.json)." };
        var output = new Option<string>("--output", "-o") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");

        var command = new Command("run", "Run a node: the embedded default is a simulated ConnectX-3 Pro wired to the traffic generator.");
        command.Options.Add(duration);
        command.Options.Add(rate);
        command.Options.Add(filters);
        command.Options.Add(output);
        command.SetAction(result => Run(result.GetValue(duration), result.GetValue(rate), result.GetValue(filters), result.GetValue(output) == "json"));
        return command;
    }

    private static int Run(double? duration, long rate, FileInfo? filterFile, bool json)
    {
        IReadOnlyList<FilterSpec> specs;
        try
        {
            specs = filterFile is null
                ? FilterSpec.ReadList(ReadEmbedded("default-filters.json"), "embedded default-filters.json")
                : FilterSpec.ReadList(File.ReadAllText(filterFile.FullName), filterFile.FullName);
        }
        catch (Exception e) when (e is FilterSpecException or IOException)
        {
            Console.Error.WriteLine($"pd: {e.Message}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        if (duration is { } seconds)
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        SimulatedNode node;
        try
        {
            node = new SimulatedNode(specs, rate);
        }
        catch (FilterSpecException e)
        {
            Console.Error.WriteLine($"pd: {e.Message}");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        node.Start();
        if (!json)
            AnsiConsole.MarkupLine($"[bold]pd node[/] on {node.Adapter.Name} ({node.Adapter.Model}, {node.Adapter.Pci}, firmware {node.Adapter.FirmwareVersion}) · {specs.Count} filters · generator {(rate > 0 ? $"{rate:N0} pps" : "unlimited")} · Ctrl-C to stop");

        var previous = node.Snapshot();
        var last = clock.Elapsed;
        while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
            previous = Report(node, previous, ref last, clock, json);
        Report(node, previous, ref last, clock, json);

        node.Dispose();
        var home = node.AllBuffersHome;
        if (!json)
            AnsiConsole.MarkupLine(home ? "[green]stopped: every buffer is back in the pool[/]" : "[red]stopped: buffers are missing from the pool[/]");
        return home ? 0 : 1;
    }

    private static NodeSnapshot Report(SimulatedNode node, NodeSnapshot previous, ref TimeSpan last, Stopwatch clock, bool json)
    {
        var now = node.Snapshot();
        var elapsed = clock.Elapsed;
        var report = NodeReport.Between(previous, now, (elapsed - last).TotalSeconds, elapsed.TotalSeconds, node.LatencyMicroseconds(99));
        if (json)
            report.WriteJson(Console.Out);
        else
            report.WriteTable(AnsiConsole.Console);
        last = elapsed;
        return now;
    }

    private static string ReadEmbedded(string name)
    {
        using var stream = typeof(NodeRunCommand).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
