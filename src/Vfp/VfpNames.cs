namespace PdCluster.Vfp;

/// <summary>The names of rules, layers and groups: what may later be one segment of a cluster store key.</summary>
public static class VfpNames
{
    /// <summary>The rule a name follows, as error messages state it.</summary>
    public const string Rule = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..'";

    /// <summary>Whether <paramref name="name"/> follows <see cref="Rule"/>.</summary>
    public static bool IsName(string? name) =>
        name is { Length: > 0 and <= 64 } and not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
