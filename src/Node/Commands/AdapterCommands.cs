using PdCluster.Nic.Adapters;
using PdCluster.Provider;
using System.CommandLine;
using System.Text.Json;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd adapter list | enable-pd | disable-pd | inject</c>.</summary>
internal static class AdapterCommands
{
    public static Command Create()
    {
        var adapter = new Command("adapter", "Inspect adapters, switch PacketDirect on or off, rehearse device events.");
        adapter.Subcommands.Add(List());
        adapter.Subcommands.Add(SetPd("enable-pd", true));
        adapter.Subcommands.Add(SetPd("disable-pd", false));
        adapter.Subcommands.Add(Inject());
        return adapter;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var output = CommonOptions.Output();
        var command = new Command("list", "List the configured adapters, their capabilities and the PD requirement check of each.");
        command.Options.Add(config);
        command.Options.Add(output);
        command.SetAction(result =>
        {
            LoadedConfig loaded;
            try
            {
                loaded = NodeConfigLoader.Load(NodeConfigLoader.Resolve(result.GetValue(config)?.FullName));
            }
            catch (ConfigException e)
            {
                return CommonOptions.Fail(e.Message);
            }
            List<AdapterInfo> infos;
            try
            {
                infos = [.. loaded.Config.Adapters.Select((_, i) => AdapterOptions.Describe(loaded, i))];
            }
            catch (ConfigException e)
            {
                return CommonOptions.Fail(e.Message);
            }
            var rows = loaded.Config.Adapters.Zip(infos, (a, info) =>
            {
                var unmet = loaded.Requirements.Check(info);
                var development = unmet.Count == 0 && loaded.Requirements.Match(info) is { Development: true };
                return new AdapterRow(a.Name, a.Provider, a.Pd, info.Model, info.Pci == default ? null : info.Pci.ToString(), info.MacText, info.LinkType.ToString(), info.Driver, info.DriverVersion,
                    info.FirmwareVersion, info.LinkSpeedMbps, info.MaxReceiveQueues, info.MaxTransmitQueues, info.MaxQueueSize, a.Queues, unmet.Count == 0, unmet,
                    info.ChosenProvider, AdapterInfo.FieldNames(info.KernelFilterFields), AdapterInfo.FieldNames(info.SoftwareFilterFields))
                {
                    BusAddress = info.BusAddress, Development = development, Team = a.Team, Addresses = a.Addresses,
                };
            }).ToList();
            if (result.GetValue(output) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, AdapterJson.Default.ListAdapterRow));
                return 0;
            }
            var table = new Table().Title($"adapters in {TerminalText.Cell(loaded.Source)}")
                .AddColumns("name", "provider", "pd", "device", "link", "firmware / driver", "queues", "PD requirements");
            foreach (var r in rows)
            {
                table.AddRow(TerminalText.Cell(r.Name), TerminalText.Cell(r.ChosenProvider is { } chosen ? $"{r.Provider} ({chosen})" : r.Provider), r.PdEnabled ? "on" : "off",
                    TerminalText.Cell(Device(r)), r.LinkSpeedMbps > 0 ? $"{r.LinkType} {r.LinkSpeedMbps / 1000}G" : $"{r.LinkType}, speed unknown",
                    TerminalText.Cell(string.Join(" / ", new[] { r.Firmware, $"{r.Driver} {r.DriverVersion}".Trim() }.Where(s => s.Length > 0))), $"{r.Queues} of {r.MaxReceiveQueues}",
                    r.Development ? "[yellow]met: development adapter[/]" : r.Supported ? "[green]met[/]" : "[red]" + TerminalText.Cell(string.Join(" ", r.Unmet)) + "[/]");
            }
            TableOutput.Write(AnsiConsole.Console, table);
            foreach (var r in rows)
            {
                if (r.ChosenProvider is { } chosen)
                    TerminalText.Out($"{r.Name}: provider {r.Provider} would choose {chosen} (the library and program load; whether the interface's XDP slot is free is known when the node starts)");
                if (r.Team is { } team)
                    TerminalText.Out($"{r.Name}: team {team} with {string.Join(", ", rows.Where(o => o.Team == team && o != r).Select(o => o.Name))}"
                        + (r.Addresses is { Count: > 0 } addresses ? $"; its survivor announces {string.Join(", ", addresses)}" : ""));
                if (r.KernelFilterFields is { } kernel)
                    TerminalText.Out($"{r.Name}: kernel filter fields: {string.Join(", ", kernel)}; software filter fields: {string.Join(", ", r.SoftwareFilterFields ?? [])}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The device column: model, then PCI id and bus address where the adapter has them.</summary>
    private static string Device(AdapterRow r)
    {
        var where = string.Join(" at ", new[] { r.Pci ?? "", r.BusAddress }.Where(s => s.Length > 0));
        return where.Length > 0 ? $"{r.Model} ({where})" : r.Model;
    }

    private static Command SetPd(string name, bool enabled)
    {
        var adapterName = new Argument<string>("name") { Description = "The adapter." };
        var config = CommonOptions.Config();
        var command = new Command(name, enabled
            ? "Enable PacketDirect on an adapter in the node's config (WinOF's Enable-NetAdapterPacketDirect); a running node picks it up at its next start."
            : "Disable PacketDirect on an adapter in the node's config; a running node picks it up at its next start.");
        command.Arguments.Add(adapterName);
        command.Options.Add(config);
        command.SetAction(result =>
        {
            var path = NodeConfigLoader.Resolve(result.GetValue(config)?.FullName);
            if (path is null)
                return CommonOptions.Fail($"no configuration file to change: pass --config FILE or create {NodeConfigLoader.DefaultPath}.");
            var adapter = result.GetValue(adapterName)!;
            var state = enabled ? "enabled" : "disabled";
            try
            {
                TerminalText.Out(NodeConfigEdit.SetPd(path, adapter, enabled)
                    ? $"PacketDirect {state} on {adapter} in {path}"
                    : $"PacketDirect was already {state} on {adapter} in {path}; the file is unchanged");
                return 0;
            }
            catch (ConfigException e)
            {
                return CommonOptions.Fail(e.Message);
            }
        });
        return command;
    }

    /// <summary>How long <c>inject</c> waits for the node to answer.</summary>
    internal static readonly TimeSpan InjectTimeout = TimeSpan.FromSeconds(5);

    private static Command Inject()
    {
        var adapterName = new Argument<string>("name") { Description = "The adapter." };
        var eventName = new Argument<string>("event") { Description = $"One of: {string.Join(", ", DeviceEventNames.All)}." };
        eventName.AcceptOnlyFromAmong([.. DeviceEventNames.All]);
        var endpoint = CommonOptions.Endpoint();
        var command = new Command("inject", $"Inject a device event into a running node's simulated adapter, to rehearse failures (gives up after {InjectTimeout.TotalSeconds:0} s without an answer).");
        command.Arguments.Add(adapterName);
        command.Arguments.Add(eventName);
        command.Options.Add(endpoint);
        command.SetAction((result, cancel) => InjectAsync(result.GetValue(endpoint)!, result.GetValue(adapterName)!, result.GetValue(eventName)!, cancel));
        return command;
    }

    /// <summary>
    /// Posts the event; a node that refuses it (no such adapter, not injectable) is bad input, exit 2; a node that
    /// cannot be reached, does not answer within <see cref="InjectTimeout"/> or fails is a runtime failure, exit 1.
    /// </summary>
    internal static async Task<int> InjectAsync(Uri endpoint, string adapter, string deviceEvent, CancellationToken cancel)
    {
        var baseAddress = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(InjectTimeout);
        try
        {
            using var response = await http.PostAsync($"adapters/{Uri.EscapeDataString(adapter)}/events/{deviceEvent}", null, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            if (response.IsSuccessStatusCode)
            {
                TerminalText.Out(body);
                return ExitCode.Ok;
            }
            var message = $"{endpoint}: {(int)response.StatusCode} {response.ReasonPhrase}: {body}";
            return (int)response.StatusCode is >= 400 and < 500 ? CommonOptions.Fail(message) : CommonOptions.Failure(message);
        }
        catch (HttpRequestException e)
        {
            return CommonOptions.Failure($"no node answers at {endpoint}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return CommonOptions.Failure($"{endpoint} did not answer within {InjectTimeout.TotalSeconds:0} s; is a node running there?");
        }
    }
}
