using System.CommandLine;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;

namespace PdCluster.Tests.Node;

/// <summary>The top level of <c>pd</c>: bad input a command lets through is exit 2, anything else exit 1, never an unhandled exception.</summary>
public sealed class PdCommandLineTests
{
    private static Task<int> Throwing(Exception e)
    {
        var root = new RootCommand("test");
        var command = new Command("go");
        command.SetAction(int (_) => throw e);
        root.Subcommands.Add(command);
        return PdCommandLine.InvokeAsync(root, ["go"]);
    }

    [Fact]
    public async Task Bad_input_exceptions_exit_2_and_others_exit_1()
    {
        Assert.Equal(ExitCode.BadInput, await Throwing(new ConfigException("node.json: adapters: list at least one adapter.")));
        Assert.Equal(ExitCode.BadInput, await Throwing(new InputException("rules.json", "", "is a directory, not a file.")));
        Assert.Equal(ExitCode.BadInput, await Throwing(new FilterSpecException("filter 'x': match.port: is not a match field")));
        Assert.Equal(ExitCode.Failure, await Throwing(new InvalidOperationException("a bug")));
    }
}
