namespace PdCluster.Actors.Framework;

/// <summary>
/// Which of a node's declared items it can serve now, from its adapters' states: an item bound to an adapter needs that
/// adapter (or, for a team member, one member of its team) not Removed, Failed or Refused; an item bound to no adapter
/// needs one adapter that is not. An adapter that has not reported yet counts as able.
/// </summary>
public static class ItemReadiness
{
    /// <summary>Whether an adapter in <paramref name="state"/> has a data path to serve with.</summary>
    public static bool CanServe(AdapterState state) => state is not (AdapterState.Removed or AdapterState.Failed or AdapterState.Refused);

    /// <summary>The ids of <paramref name="items"/> the node cannot serve now, in their order.</summary>
    /// <param name="teams">Each teamed adapter's team name.</param>
    public static IReadOnlyList<string> Unserved(IReadOnlyList<ClusterItem> items, IReadOnlyDictionary<string, AdapterState> adapters, IReadOnlyDictionary<string, string> teams)
    {
        bool Able(string adapter) => !adapters.TryGetValue(adapter, out var state) || CanServe(state);
        bool AbleOrTeamAble(string adapter) => teams.TryGetValue(adapter, out var team)
            ? teams.Where(t => t.Value == team).Any(t => Able(t.Key))
            : Able(adapter);
        var any = adapters.Count == 0 || adapters.Values.Any(CanServe);
        return [.. items.Where(i => !(i.Adapter is { } adapter ? AbleOrTeamAble(adapter) : any)).Select(i => i.Id)];
    }
}
