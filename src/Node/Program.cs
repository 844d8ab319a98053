using System.CommandLine;
using PdCluster.Node.Commands;
using PdCluster.Node.Hosting;
using Spectre.Console;

// For pd node run, signals are handled from the first statement, before the command line is even parsed: only the
// runtime's own start is left, in which a signal still ends the process as it does any process.
using var signals = args is ["node", "run", ..] ? new NodeSignals() : null;

if (Console.IsOutputRedirected)
{
    // A file or pipe gets plain text, a line per row: no terminal's wrapping at 80 columns, no colour codes.
    AnsiConsole.Profile.Width = 240;
    AnsiConsole.Profile.Capabilities.Ansi = false;
    AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors;
}

var node = new Command("node", "Run and inspect PD nodes.");
node.Subcommands.Add(NodeRunCommand.Create(signals));
node.Subcommands.Add(ClusterViewCommands.NodeList());

var root = new RootCommand("pd: PacketDirect cluster node and control tool.");
root.Subcommands.Add(node);
root.Subcommands.Add(AdapterCommands.Create());
root.Subcommands.Add(FilterCommands.Create());
root.Subcommands.Add(CaptureCommand.Create());
root.Subcommands.Add(ClusterViewCommands.ClusterStatus());
root.Subcommands.Add(ClusterViewCommands.OwnerList());
root.Subcommands.Add(LabCommand.Create());
foreach (var command in VSwitchCommands.Create())
    root.Subcommands.Add(command);
// Signals are pd node run's to handle (NodeSignals): PdCommandLine turns System.CommandLine's own handler off, which
// would end the process with 143 two seconds after a SIGTERM, whatever the node was doing.
return await PdCommandLine.InvokeAsync(root, args);
