namespace PdCluster.Queues.Input;

/// <summary>A file a user wrote is wrong: the message names the file, the key (a JSON path such as <c>adapters[0].simulated.mac</c>) and the problem.</summary>
public sealed class InputException(string file, string key, string problem) : Exception(Format(file, key, problem))
{
    /// <summary>The file, as the user named it.</summary>
    public string File { get; } = file;

    /// <summary>The JSON path of the value at fault, empty when the problem is the file as a whole.</summary>
    public string Key { get; } = key;

    /// <summary>What is wrong, as a sentence.</summary>
    public string Problem { get; } = problem;

    /// <summary><c>file: key: problem</c>, or <c>file: problem</c> without a key.</summary>
    public static string Format(string file, string key, string problem) => key.Length == 0 ? $"{file}: {problem}" : $"{file}: {key}: {problem}";
}
