using System.CommandLine;
using System.Text.Json;
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
        var adapter = new Option<string>("--adapter") { Description = "The PD adapter whose queues are the switch's external port.", Required = true };
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
        return new Command("vswitch", "PacketDirect VM switches.") { create, remove, extensions };
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
        var command = new Command("vm", "VMs on the switches.") { adapter };
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
        var list = new Command("list-ports", "The switches' ports with their VFP state (vfpctrl /list-vmswitch-port).");
        var output = CommonOptions.Output();
        list.Options.Add(output);
        var store = new ClusterOptions(list);
        list.SetAction((result, cancel) => store.RunOnSwitchesAsync(result, async catalog =>
        {
            var ports = await catalog.ListPortsAsync(cancel);
            if (result.GetValue(output) == "json")
                Console.WriteLine(JsonSerializer.Serialize(ports, VSwitchJson.Default.IReadOnlyListPortListing));
            else
            {
                // The port names are GUIDs an operator copies into disable-port: a file or pipe gets whole rows.
                if (Console.IsOutputRedirected)
                    AnsiConsole.Profile.Width = 240;
                AnsiConsole.Write(Table(ports));
            }
            return ExitCode.Ok;
        }));
        var command = new Command("vfp", "The VFP extension's ports.") { list };
        foreach (var (verb, disabled) in new[] { ("disable-port", true), ("enable-port", false) })
        {
            var port = new Option<string>("--port") { Description = "The port's name, as list-ports shows it.", Required = true };
            command.Subcommands.Add(Writing(verb, disabled ? "Disable VFP on a port: its traffic passes unfiltered until the VM restarts (vfpctrl /disable-port)." : "Enable VFP on a port again.",
                [], [port], (catalog, result, cancel) => catalog.SetPortDisabledAsync(result.GetValue(port)!, disabled, cancel),
                result => $"port {result.GetValue(port)} {(disabled ? "disabled" : "enabled")}"));
        }
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
            Console.WriteLine($"{done(result)} at revision {revision}");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Table Table(IReadOnlyList<PortListing> ports)
    {
        var table = new Table().Title("ports");
        foreach (var column in new[] { "port name", "friendly name", "switch", "port id", "type", "initialized", "MAC learning", "NIC name", "MTU", "MAC", "VM", "blocked", "disabled", "rules" })
            table.AddColumn(column);
        foreach (var p in ports)
            table.AddRow(Markup.Escape(p.PortName), Markup.Escape(p.FriendlyName), Markup.Escape(p.Switch), $"{p.PortId}", p.Type, Yes(p.Initialized), Yes(p.MacLearning),
                Markup.Escape(p.NicName), $"{p.Mtu}", p.Mac, Markup.Escape(p.VmName ?? ""), Yes(p.Blocked), Yes(p.Disabled), $"{p.RuleCount}");
        return table;
    }

    private static string Yes(bool value) => value ? "yes" : "no";
}
