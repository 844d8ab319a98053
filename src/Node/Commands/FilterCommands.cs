using System.CommandLine;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;
using PdCluster.Queues.Packets;

namespace PdCluster.Node.Commands;

/// <summary><c>pd filter test</c>: which filter matches each packet of a capture, to dry-run filters before pushing them; the cluster's filters are <see cref="ClusterFilterCommands"/>.</summary>
internal static class FilterCommands
{
    public static Command Create()
    {
        var filter = new Command("filter", "Work with the cluster's filters and with filter files.");
        filter.Subcommands.Add(Test());
        foreach (var command in ClusterFilterCommands.Create())
            filter.Subcommands.Add(command);
        return filter;
    }

    private static Command Test()
    {
        var rules = new Option<FileInfo>("--rules") { Description = "JSON filter file (see cluster-config/default-filters.json).", Required = true };
        var pcap = new Option<FileInfo>("--pcap") { Description = "Capture to test against: classic pcap or pcapng, Ethernet.", Required = true };
        var command = new Command("test", "Print which filter matches each packet of a capture, one JSON line per packet: {\"index\":N,\"rule\":\"ID or null\"} (index from 0).");
        command.Options.Add(rules);
        command.Options.Add(pcap);
        command.SetAction(result => Run(result.GetValue(rules)!, result.GetValue(pcap)!, Console.Out));
        return command;
    }

    /// <summary>Classifies every packet of <paramref name="pcap"/> with <paramref name="rules"/>; returns the exit code.</summary>
    internal static int Run(FileInfo rules, FileInfo pcap, TextWriter output)
    {
        IReadOnlyList<FilterSpec> specs;
        Classifier classifier;
        try
        {
            specs = FilterSpec.ReadList(InputFile.ReadAllText(rules.FullName), rules.FullName);
            classifier = Classifier.Compile([.. specs.Select(s => s.ToRule())]);
        }
        catch (Exception e) when (e is FilterSpecException or InputException)
        {
            return CommonOptions.Fail(e.Message);
        }
        try
        {
            using var stream = InputFile.OpenRead(pcap.FullName);
            var info = new PacketInfo();
            foreach (var packet in CaptureFile.Read(stream))
            {
                if (packet.LinkType != CaptureFile.Ethernet)
                    return CommonOptions.Fail($"{pcap.FullName}: packet {packet.Index} at offset {packet.Offset}: link type {packet.LinkType} is not Ethernet (1), the only link type filters are tested on.");
                PacketParser.Parse(packet.Data, ref info);
                var rule = classifier.Classify(in info.Key);
                output.WriteLine(rule < 0 ? $"{{\"index\":{packet.Index},\"rule\":null}}" : $"{{\"index\":{packet.Index},\"rule\":{System.Text.Json.JsonSerializer.Serialize(specs[rule].Id, FilterIdJson.Default.String)}}}");
            }
            return 0;
        }
        catch (Exception e) when (e is CaptureFormatException or IOException or UnauthorizedAccessException)
        {
            return CommonOptions.Fail($"{pcap.FullName}: {e.Message}");
        }
        catch (InputException e)
        {
            return CommonOptions.Fail(e.Message);
        }
    }
}
