using System.CommandLine;
using PdCluster.Node;

var node = new Command("node", "Run and inspect PD nodes.");
node.Subcommands.Add(NodeRunCommand.Create());

var root = new RootCommand("pd: PacketDirect cluster node and control tool.");
root.Subcommands.Add(node);
return root.Parse(args).Invoke();
