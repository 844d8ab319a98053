namespace PdCluster.Actors.Framework;

/// <summary>
/// What a node writes under <c>status/&lt;node&gt;</c> (on its lease): each adapter's state, the declared items it cannot
/// serve now and, once its <see cref="FilterAgent"/> has reported, where the cluster's filters stand on the node.
/// </summary>
/// <param name="Unserved">The ids of the node's declared items it cannot serve now (<see cref="ItemReadiness"/>); null or empty: it can serve them all.</param>
public sealed record MemberStatus(string Node, IReadOnlyDictionary<string, AdapterState> Adapters, FilterAgentStatus? Filters = null, IReadOnlyList<string>? Unserved = null);
