using System.CommandLine;

namespace PdCluster.Node.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    /// <summary>--config FILE.</summary>
    public static Option<FileInfo?> Config() => new("--config") { Description = $"Node configuration file (default: {Configuration.NodeConfigLoader.DefaultPath} if present, else the embedded default)." };

    /// <summary>-o table|json.</summary>
    public static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        return output;
    }

    /// <summary>--endpoint URL of a running node's admin endpoint.</summary>
    public static Option<string> Endpoint() => new("--endpoint") { Description = "Admin endpoint of the running node.", DefaultValueFactory = _ => "http://127.0.0.1:9470" };

    /// <summary>Writes an error the way every command does and returns the exit code for it.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"pd: {message}");
        return 2;
    }
}
