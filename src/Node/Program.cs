using System.CommandLine;
using PdCluster.Node.Commands;

var node = new Command("node", "Run and inspect PD nodes.");
node.Subcommands.Add(NodeRunCommand.Create());

var root = new RootCommand("pd: PacketDirect cluster node and control tool.");
root.Subcommands.Add(node);
root.Subcommands.Add(AdapterCommands.Create());
root.Subcommands.Add(FilterCommands.Create());
return await PdCommandLine.InvokeAsync(root, args);
