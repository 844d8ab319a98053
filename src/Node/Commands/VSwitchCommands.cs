using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PdCluster.Queues.Input;
using PdCluster.Vfp;
using PdCluster.VSwitch.Store;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd vswitch</c>, <c>pd vm</c> and <c>pd vfp</c>: the VM switch's records in the cluster store, as WinOF's cmdlets and vfpctrl change them.</summary>
internal static class VSwitchCommands
{
    public static IEnumerable<Command> Create() => [Switch(), Vm(), Vfp()];

    private static Command Switch()
    {
        var name = new Argument<string>("name") { Description = "The switch's name." };
        var adapter = new Option<string>("--adapter") { Description = "The PD adapter whose queues are the switch's external port, or a team of the node (its members take the port over from one another).", Required = true };
        var management = new Option<bool>("--allow-management-os") { Description = "Give the host's own stack a port on the switch (the adapter's MAC)." };
        var create = Writing("create", "Create a PacketDirect switch on an adapter (New-VMSwitch -EnablePacketDirect).", [name], [adapter, management],
            (catalog, result, cancel) => catalog.CreateSwitchAsync(result.GetValue(name)!, result.GetValue(adapter)!, result.GetValue(management), cancel),
            result => $"switch {result.GetValue(name)} created");
        var switchName = new Argument<string>("switch") { Description = "The switch's name." };
        var extension = new Argument<string>("extension") { Description = "The extension: vfp." };
        var enable = Writing("enable", "Enable a switch extension (Enable-VMSwitchExtension).", [switchName, extension], [],
            (catalog, result, cancel) => catalog.EnableExtensionAsync(result.GetValue(switchName)!, result.GetValue(extension)!, cancel),
            result => $"extension vfp enabled on switch {result.GetValue(switchName)}");
        var extensions = new Command("extension", "Switch extensions.") { enable };
        var removed = new Argument<string>("name") { Description = "The switch's name." };
        var remove = Writing("rm", "Remove a switch (Remove-VMSwitch); its adapter goes back to the node's own queues. Refused while a VM on it runs.", [removed], [],
            (catalog, result, cancel) => catalog.RemoveSwitchAsync(result.GetValue(removed)!, cancel),
            result => $"switch {result.GetValue(removed)} removed");
        var list = Listing("ls", "The switches, their external adapters and VM ports (Get-VMSwitch).", [],
            (catalog, _, cancel) => catalog.ListSwitchesAsync(cancel), VSwitchJson.Default.IReadOnlyListSwitchListing, Table);
        return new Command("vswitch", "PacketDirect VM switches.") { create, remove, extensions, list };
    }

    private static Command Vm()
    {
        var vm = new Argument<string>("vm") { Description = "The VM's name." };
        var switchName = new Option<string>("--switch") { Description = "The switch the adapter connects to.", Required = true };
        var mac = new Option<string>("--static-mac") { Description = "The adapter's static MAC, like 00:15:5d:00:00:01.", Required = true };
        var address = new Option<string?>("--address") { HelpName = "CIDR", Description = "The address a namespace VM's interface gets, like 198.18.1.10/15 (a VM on a Linux interface)." };
        var add = Writing("add", "Add a network adapter with a static MAC to a stopped VM (Add-VMNetworkAdapter).", [vm], [switchName, mac, address],
            (catalog, result, cancel) => catalog.AddAdapterAsync(result.GetValue(vm)!, result.GetValue(switchName)!, result.GetValue(mac)!, cancel, result.GetValue(address)),
            result => $"adapter {result.GetValue(mac)} added to VM {result.GetValue(vm)} on switch {result.GetValue(switchName)}");
        var adapter = new Command("adapter", "A VM's network adapters.") { add };
        var removed = new Argument<string>("name") { Description = "The VM's name." };
        var remove = Writing("rm", "Remove a stopped VM with its network adapters and their ports' rules (Remove-VM); also removes a VM record that does not read.", [removed], [],
            (catalog, result, cancel) => catalog.RemoveVmAsync(result.GetValue(removed)!, cancel), result => $"VM {result.GetValue(removed)} removed");
        var list = Listing("ls", "The VMs, their state and network adapters (Get-VM).", [],
            (catalog, _, cancel) => catalog.ListVmsAsync(cancel), VSwitchJson.Default.IReadOnlyListVmListing, Table);
        var command = new Command("vm", "VMs on the switches.") { adapter, remove, list };
        foreach (var (verb, running, text) in new[] { ("start", true, "Start a VM (Start-VM); its ports come up with VFP enabled."), ("stop", false, "Stop a VM (Stop-VM).") })
        {
            var name = new Argument<string>("name") { Description = "The VM's name." };
            command.Subcommands.Add(Writing(verb, text, [name], [], (catalog, result, cancel) => catalog.SetRunningAsync(result.GetValue(name)!, running, cancel),
                result => $"VM {result.GetValue(name)} {(running ? "started" : "stopped")}"));
        }
        return command;
    }

    private static Command Vfp()
    {
        var list = Listing("list-ports", "The switches' ports with their VFP state (vfpctrl /list-vmswitch-port).", [],
            (catalog, _, cancel) => catalog.ListPortsAsync(cancel), VSwitchJson.Default.IReadOnlyListPortListing, Table);
        var command = new Command("vfp", "The VFP extension's ports and rules.") { list, Rule() };
        foreach (var (verb, disabled) in new[] { ("disable-port", true), ("enable-port", false) })
        {
            var port = new Option<string>("--port") { Description = "The port's name, as list-ports shows it.", Required = true };
            command.Subcommands.Add(Writing(verb, disabled ? "Disable VFP on a port: its traffic passes unfiltered until the VM restarts (vfpctrl /disable-port)." : "Enable VFP on a port again.",
                [], [port], (catalog, result, cancel) => catalog.SetPortDisabledAsync(result.GetValue(port)!, disabled, cancel),
                result => $"port {result.GetValue(port)} {(disabled ? "disabled" : "enabled")}"));
        }
        return command;
    }

    /// <summary><c>pd vfp rule add|rm|ls</c>: a port's VFP rules in the cluster store, one key per rule.</summary>
    private static Command Rule()
    {
        var file = new Argument<string?>("file") { Description = "A rule document (JSON); or give the rule with the options.", Arity = ArgumentArity.ZeroOrOne };
        var port = new Option<string>("--port") { Description = "The port's name, as list-ports shows it.", Required = true };
        var fields = new RuleOptions();
        var add = Writing("add", "Add a VFP rule to a port (from a file, or from --id, --layer, --group, --direction, --priority, --match, --action, --vip, --dip).",
            [file], [port, .. fields.All], (catalog, result, cancel) => catalog.AddRuleAsync(result.GetValue(port)!, fields.Read(result, result.GetValue(file)), cancel),
            result => $"rule added to port {result.GetValue(port)}");
        var id = new Argument<string>("id") { Description = "The rule's id." };
        var rmPort = new Option<string>("--port") { Description = "The port's name, as list-ports shows it.", Required = true };
        var rm = Writing("rm", "Remove a VFP rule from a port.", [id], [rmPort], (catalog, result, cancel) => catalog.RemoveRuleAsync(result.GetValue(rmPort)!, result.GetValue(id)!, cancel),
            result => $"rule {result.GetValue(id)} removed from port {result.GetValue(rmPort)}");
        var lsPort = new Option<string?>("--port") { Description = "Only this port's rules." };
        var ls = Listing("ls", "The VFP rules of every port, or of one.", [lsPort],
            (catalog, result, cancel) => catalog.ListRulesAsync(result.GetValue(lsPort), cancel), VSwitchJson.Default.IReadOnlyListRuleListing, Table);
        return new Command("rule", "A port's VFP rules.") { add, rm, ls };
    }

    /// <summary>The largest rule document read from a file (a rule is a few hundred bytes; etcd keeps values up to 1.5 MB).</summary>
    public const int MaxRuleBytes = 1 << 20;

    /// <summary>The options of <c>pd vfp rule add</c> that spell a rule out, and the rule they (or a file) give.</summary>
    private sealed class RuleOptions
    {
        private readonly Option<string?> _id = new("--id") { Description = "The rule's id, unique on the port." };
        private readonly Option<string?> _layer = new("--layer") { Description = "The layer (layers are passed in the order of their names inbound, reversed outbound)." };
        private readonly Option<string?> _group = new("--group") { Description = "The group within the layer (groups are tried in the order of their names)." };
        private readonly Option<string?> _direction = new("--direction") { Description = "inbound (to the VM) or outbound (from it)." };
        private readonly Option<int?> _priority = new("--priority")
        {
            Description = "Lower wins within the group (default 0).",
            CustomParser = result => CommonOptions.Whole(result, "--priority", $"a whole number from {int.MinValue} to {int.MaxValue}", int.MinValue, int.MaxValue, v => (int?)(int)v),
        };
        private readonly Option<string[]> _match = new("--match") { Description = "A condition FIELD=VALUE, as in a filter's match (repeat for more).", AllowMultipleArgumentsPerToken = false };
        private readonly Option<string?> _action = new("--action") { Description = "allow, block, count or dnat." };
        private readonly Option<string?> _vip = new("--vip") { Description = "For dnat: the virtual endpoint a.b.c.d[:port]." };
        private readonly Option<string?> _dip = new("--dip") { Description = "For dnat: the direct endpoint a.b.c.d[:port]." };

        public Option[] All => [_id, _layer, _group, _direction, _priority, _match, _action, _vip, _dip];

        /// <summary>The rule in <paramref name="file"/>, or the one the options spell; a malformed one is refused naming the file or option.</summary>
        public VfpRule Read(ParseResult result, string? file)
        {
            var given = All.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
            try
            {
                if (file is null)
                    return VfpRule.Read(Document(result).ToJsonString(), "options");
                if (given.Count > 0)
                    throw new VSwitchRefusedException($"{string.Join(", ", given)}: give the rule in {file} or with options, not both.");
                return VfpRule.Read(InputFile.ReadAllText(file, MaxRuleBytes), file);
            }
            catch (VfpRuleException e)
            {
                throw new VSwitchRefusedException(e.Message);
            }
            catch (InputException e)
            {
                throw new VSwitchRefusedException(e.Message);
            }
        }

        private JsonObject Document(ParseResult result)
        {
            var match = new JsonObject();
            foreach (var condition in result.GetValue(_match) ?? [])
            {
                var (field, value) = condition.IndexOf('=') is var at and > 0 ? (condition[..at], condition[(at + 1)..])
                    : throw new VSwitchRefusedException($"--match: '{condition}' is not FIELD=VALUE, like protocol=udp or destinationPort=53.");
                if (match.ContainsKey(field))
                    throw new VSwitchRefusedException($"--match: {field} is given twice ({field}={match[field]} and {condition}); a condition has one value (a range or prefix covers several).");
                match[field] = value;
            }
            var document = new JsonObject { ["schemaVersion"] = VfpRule.CurrentSchemaVersion };
            foreach (var (name, option) in new[] { ("id", _id), ("layer", _layer), ("group", _group), ("direction", _direction), ("action", _action) })
                if (result.GetValue(option) is { } value)
                    document[name] = value;
            if (result.GetValue(_priority) is { } priority)
                document["priority"] = priority;
            if (match.Count > 0)
                document["match"] = match;
            if (result.GetValue(_vip) is not null || result.GetValue(_dip) is not null)
                document["dnat"] = new JsonObject { ["vip"] = result.GetValue(_vip), ["dip"] = result.GetValue(_dip) };
            return document;
        }
    }

    /// <summary>A command that reads rows through <see cref="IVSwitchCatalog"/> and prints them as a table, or as JSON with <c>-o json</c>.</summary>
    private static Command Listing<T>(string name, string description, Option[] options, Func<IVSwitchCatalog, ParseResult, CancellationToken, Task<IReadOnlyList<T>>> read,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<IReadOnlyList<T>> json, Func<IReadOnlyList<T>, Table> table)
    {
        var command = new Command(name, description);
        foreach (var option in options)
            command.Options.Add(option);
        var output = CommonOptions.Output();
        command.Options.Add(output);
        var store = new ClusterOptions(command);
        command.SetAction((result, cancel) => store.RunOnSwitchesAsync(result, async catalog =>
        {
            var rows = await read(catalog, result, cancel);
            if (result.GetValue(output) == "json")
                Console.WriteLine(JsonSerializer.Serialize(rows, json));
            else
            {
                // Port names are GUIDs an operator copies into other commands: a file or pipe gets whole rows.
                if (Console.IsOutputRedirected)
                    AnsiConsole.Profile.Width = 240;
                TableOutput.Write(AnsiConsole.Console, table(rows));
            }
            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>A command that makes one checked change through <see cref="IVSwitchCatalog"/> and says what it did and at which revision.</summary>
    private static Command Writing(string name, string description, Argument[] arguments, Option[] options,
        Func<IVSwitchCatalog, ParseResult, CancellationToken, Task<long>> change, Func<ParseResult, string> done)
    {
        var command = new Command(name, description);
        foreach (var argument in arguments)
            command.Arguments.Add(argument);
        foreach (var option in options)
            command.Options.Add(option);
        var store = new ClusterOptions(command);
        command.SetAction((result, cancel) => store.RunOnSwitchesAsync(result, async catalog =>
        {
            var revision = await change(catalog, result, cancel);
            TerminalText.Out($"{done(result)} at revision {revision}");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Table Table(IReadOnlyList<PortListing> ports)
    {
        var table = new Table().Title("ports");
        foreach (var column in new[] { "port name", "friendly name", "switch", "port id", "type", "initialized", "MAC learning", "NIC name", "MTU", "MAC", "VM", "blocked", "disabled", "rules" })
            table.AddColumn(column);
        foreach (var p in ports.Where(p => p.Problem is null))
            table.AddRow(TerminalText.Cell(p.PortName), TerminalText.Cell(p.FriendlyName), TerminalText.Cell(p.Switch), $"{p.PortId}", TerminalText.Cell(p.Type),
                p.Down is null ? Yes(p.Initialized) : p.Type == nameof(VSwitch.PortKind.External) && p.Down.StartsWith("no node", StringComparison.Ordinal) ? "no" : "no (down)",
                Yes(p.MacLearning), TerminalText.Cell(p.NicName), $"{p.Mtu}", TerminalText.Cell(p.Mac),
                TerminalText.Cell(p.VmName ?? ""), Yes(p.Blocked), Yes(p.Disabled), $"{p.RuleCount}");
        return WithNotes(table, ports.Where(p => p.Down is not null).Select(p => $"external port of {p.Switch} not initialized: {p.Down}"), ports.Select(p => p.Problem));
    }

    /// <summary><paramref name="table"/> with a caption line per note and per record left out (with its problem), escaped for the terminal.</summary>
    private static Table WithNotes(Table table, IEnumerable<string> notes, IEnumerable<string?> problems)
    {
        var lines = notes.Concat(problems.OfType<string>().Select(p => $"left out: {p}")).Select(TerminalText.Cell).ToList();
        return lines.Count > 0 ? table.Caption(string.Join("\n", lines)) : table;
    }

    private static Table Table(IReadOnlyList<SwitchListing> switches)
    {
        var table = new Table().Title("switches");
        foreach (var column in new[] { "name", "adapter", "management OS", "VFP", "VM ports", "initialized", "NIC name", "MAC" })
            table.AddColumn(column);
        foreach (var s in switches.Where(s => s.Problem is null))
            table.AddRow(TerminalText.Cell(s.Name), TerminalText.Cell(s.Adapter), Yes(s.AllowManagementOs), s.VfpEnabled ? "enabled" : "off", $"{s.VmPorts}",
                Yes(s.Initialized), TerminalText.Cell(s.NicName), TerminalText.Cell(s.Mac));
        return WithNotes(table, switches.Where(s => s.Down is not null).Select(s => $"{s.Name} not initialized: {s.Down}"), switches.Select(s => s.Problem));
    }

    private static Table Table(IReadOnlyList<VmListing> vms)
    {
        var table = new Table().Title("VMs");
        foreach (var column in new[] { "name", "state", "switch", "static MAC", "port name", "port id" })
            table.AddColumn(column);
        foreach (var vm in vms.Where(v => v.Problem is null))
            table.AddRow(TerminalText.Cell(vm.Name), vm.State, Lines(vm, a => a.Switch), Lines(vm, a => a.StaticMac), Lines(vm, a => a.PortName), Lines(vm, a => $"{a.PortId}"));
        return WithNotes(table, [], vms.Select(v => v.Problem));

        static string Lines(VmListing vm, Func<VmAdapterDocument, string> field) => string.Join("\n", vm.Adapters.Select(field).Select(TerminalText.Cell));
    }

    private static Table Table(IReadOnlyList<RuleListing> rules)
    {
        var table = new Table().Title("rules");
        foreach (var column in new[] { "port name", "VM", "id", "layer", "group", "direction", "priority", "action", "match", "problem" })
            table.AddColumn(column);
        foreach (var r in rules)
            table.AddRow(TerminalText.Cell(r.PortName), TerminalText.Cell(r.VmName ?? ""), TerminalText.Cell(r.Id), TerminalText.Cell(r.Layer ?? ""), TerminalText.Cell(r.Group ?? ""), TerminalText.Cell(r.Direction ?? ""),
                $"{r.Priority}", TerminalText.Cell(r.Action ?? ""), TerminalText.Cell(r.Match ?? ""), TerminalText.Cell(r.Problem ?? ""));
        return table;
    }

    private static string Yes(bool value) => value ? "yes" : "no";
}
