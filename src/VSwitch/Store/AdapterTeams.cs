namespace PdCluster.VSwitch.Store;

/// <summary>
/// The adapters a switch's <c>--adapter</c> stands for, given the teams the nodes reported: a team's name stands for
/// its members, an adapter's for itself. Two switches whose adapters overlap would take the same queues.
/// </summary>
internal sealed class AdapterTeams(IEnumerable<NodeTeam> teams)
{
    private readonly Dictionary<string, HashSet<string>> _members = teams.GroupBy(t => t.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.SelectMany(t => t.Members).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// How <paramref name="adapter"/> (a new switch's) and <paramref name="taken"/> (another switch's) overlap, said of
    /// <paramref name="adapter"/> as the start of a sentence that ends with the other switch (<c>pd0 is a member of team t0,
    /// already</c>), or null when they share no adapter.
    /// </summary>
    public string? Overlap(string adapter, string taken)
    {
        if (adapter == taken)
            return _members.ContainsKey(adapter) ? $"team {adapter} is already" : $"{adapter} is already";
        var mine = _members.GetValueOrDefault(adapter);
        var theirs = _members.GetValueOrDefault(taken);
        return (mine, theirs) switch
        {
            (null, { } members) when members.Contains(adapter) => $"{adapter} is a member of team {taken}, already",
            ({ } members, null) when members.Contains(taken) => $"team {adapter} has {taken}, already",
            ({ } a, { } b) when a.Intersect(b).Order(StringComparer.Ordinal).FirstOrDefault() is { } shared => $"team {adapter} shares {shared} with team {taken}, already",
            _ => null,
        };
    }
}
