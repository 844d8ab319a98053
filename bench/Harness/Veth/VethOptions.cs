namespace PdCluster.Bench.Veth;

/// <summary>The <c>--name value</c> options of the veth subcommands, with a clear error for a missing or bad one.</summary>
internal sealed class VethOptions(string[] args)
{
    public string Text(string name, string? fallback = null)
    {
        var i = Array.IndexOf(args, $"--{name}");
        if (i >= 0 && i + 1 < args.Length)
            return args[i + 1];
        return fallback ?? throw new VethUsageException($"--{name} is required");
    }

    public int Number(string name, int fallback) =>
        Array.IndexOf(args, $"--{name}") < 0 ? fallback
        : int.TryParse(Text(name), out var n) && n > 0 ? n : throw new VethUsageException($"--{name}: '{Text(name)}' is not a whole number above 0");

    public bool Flag(string name) => args.Contains($"--{name}");
}

/// <summary>A veth subcommand called with a missing or bad option.</summary>
internal sealed class VethUsageException(string message) : Exception(message);
