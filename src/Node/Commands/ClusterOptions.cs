using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PdCluster.Node.ClusterAccess;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PdCluster.Node.Commands;

/// <summary>
/// How the cluster commands reach the store: today through a node's admin endpoint (<c>--endpoint</c>), since the
/// embedded store lives inside the node. A store reachable on its own (etcd) gets its option here and a
/// <see cref="StoreCatalog"/> over it; the commands only see <see cref="IClusterCatalog"/>.
/// </summary>
internal static class ClusterOptions
{
    /// <summary>The catalog the parsed options name.</summary>
    public static IClusterCatalog Open(Uri endpoint) => new AdminCatalog(endpoint);

    /// <summary>Runs a command against the store: an unreachable store is exit code 1, a refused request exit code 2.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (ClusterUnavailableException e)
        {
            return CommonOptions.Failure(e.Message);
        }
        catch (ClusterRefusedException e)
        {
            return CommonOptions.Fail(e.Message);
        }
    }

    /// <summary>
    /// A command that reads the cluster (<c>--endpoint</c>) and prints what it read as a table, or as JSON with
    /// <c>-o json</c>; a read that finds nothing (null) is bad input, with <paramref name="missing"/>'s message.
    /// </summary>
    public static Command Reading<T>(string name, string description, Func<IClusterCatalog, ParseResult, CancellationToken, Task<T?>> read,
        JsonTypeInfo<T> json, Func<T, IRenderable> table, Argument? argument = null, Func<ParseResult, string>? missing = null) where T : class
    {
        var endpoint = CommonOptions.Endpoint();
        var output = CommonOptions.Output();
        var command = new Command(name, description);
        if (argument is not null)
            command.Arguments.Add(argument);
        command.Options.Add(endpoint);
        command.Options.Add(output);
        command.SetAction((result, cancel) => RunAsync(async () =>
        {
            if (await read(Open(result.GetValue(endpoint)!), result, cancel) is not { } value)
                return CommonOptions.Fail(missing?.Invoke(result) ?? "nothing found.");
            if (result.GetValue(output) == "json")
                Console.WriteLine(JsonSerializer.Serialize(value, json));
            else
                AnsiConsole.Write(table(value));
            return ExitCode.Ok;
        }));
        return command;
    }
}
