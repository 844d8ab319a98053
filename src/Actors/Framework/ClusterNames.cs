namespace PdCluster.Actors.Framework;

/// <summary>What a name that becomes a store key segment may be: cluster filter ids, node names in scopes, adapter labels.</summary>
public static class ClusterNames
{
    /// <summary>The longest name.</summary>
    public const int MaxLength = 64;

    /// <summary>The rule, as error messages state it.</summary>
    public const string Rule = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..'";

    private static readonly System.Buffers.SearchValues<char> Allowed =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>Whether <paramref name="name"/> follows <see cref="Rule"/>.</summary>
    public static bool IsName(string name) =>
        name.Length is > 0 and <= MaxLength && name is not ("." or "..") && !name.AsSpan().ContainsAnyExcept(Allowed);
}
