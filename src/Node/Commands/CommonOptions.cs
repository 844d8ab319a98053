using System.CommandLine;
using System.Globalization;

namespace PdCluster.Node.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    /// <summary>Longest <c>--duration</c>: a week.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    /// <summary>--config FILE.</summary>
    public static Option<FileInfo?> Config() => new("--config") { Description = $"Node configuration file (default: {Configuration.NodeConfigLoader.DefaultPath} if present, else the embedded default)." };

    /// <summary>-o table|json.</summary>
    public static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
        output.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var text }] && text is not ("table" or "json"))
                result.AddError($"--output: '{text}' is not an output format; use table or json.");
        });
        return output;
    }

    /// <summary>An option's one token as a whole number from <paramref name="min"/> to <paramref name="max"/>, else a usage error saying it is not <paramref name="what"/>.</summary>
    public static T Whole<T>(System.CommandLine.Parsing.ArgumentResult result, string option, string what, long min, long max, Func<long, T> make)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, min < 0 ? NumberStyles.AllowLeadingSign : NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return make(value);
        result.AddError($"{option}: '{text}' is not {what}.");
        return default!;
    }

    /// <summary>--endpoint URL of a running node's admin endpoint: an absolute http(s) URL, else a usage error.</summary>
    public static Option<Uri> Endpoint() => new("--endpoint")
    {
        Description = "Admin endpoint of the running node.",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:9470/"),
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
                return uri;
            result.AddError($"--endpoint: '{text}' is not an http:// URL such as http://127.0.0.1:9470.");
            return null;
        },
    };

    /// <summary>--duration SECONDS: finite, above 0 and at most <see cref="MaxDuration"/>, else a usage error.</summary>
    public static Option<double?> Duration() => new("--duration")
    {
        Description = $"Stop after this many seconds, above 0 and at most {MaxDuration.TotalSeconds} (a week) (default: run until Ctrl-C or SIGTERM).",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                && double.IsFinite(seconds) && seconds > 0 && seconds <= MaxDuration.TotalSeconds)
                return seconds;
            result.AddError($"--duration: '{text}' is not a number of seconds above 0 and at most {MaxDuration.TotalSeconds} (a week).");
            return null;
        },
    };

    /// <summary>Writes a warning the way every command does: the work was done, but something may not be as meant.</summary>
    public static void Warn(string message) => TerminalText.Error($"pd: warning: {message}");

    /// <summary>Writes a bad-input error the way every command does and returns <see cref="ExitCode.BadInput"/>.</summary>
    public static int Fail(string message)
    {
        TerminalText.Error($"pd: {message}");
        return ExitCode.BadInput;
    }

    /// <summary>Writes a runtime failure the way every command does and returns <see cref="ExitCode.Failure"/>.</summary>
    public static int Failure(string message)
    {
        TerminalText.Error($"pd: {message}");
        return ExitCode.Failure;
    }
}
