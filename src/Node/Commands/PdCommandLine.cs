using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using PdCluster.Node.Configuration;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;

namespace PdCluster.Node.Commands;

/// <summary>
/// Runs a <c>pd</c> command line so that bad input never ends in a stack trace: usage errors and any bad-input
/// exception a command lets through become <c>pd: message</c> and <see cref="ExitCode.BadInput"/>.
/// </summary>
internal static class PdCommandLine
{
    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/>; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
                TerminalText.Error($"pd: {error.Message}");
            TerminalText.Error($"pd: see '{CommandPath(parsed.CommandResult)} --help'.");
            return ExitCode.BadInput;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e) when (e is ConfigException or InputException or FilterSpecException)
        {
            return CommonOptions.Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            return CommonOptions.Failure("cancelled.");
        }
        catch (Exception e)
        {
            CommonOptions.Failure($"internal error (a bug in pd, please report it): {e.GetType()}: {e.Message}");
            Console.Error.WriteLine(e.StackTrace);
            return ExitCode.Failure;
        }
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is CommandResult c; r = c.Parent)
            names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }
}
