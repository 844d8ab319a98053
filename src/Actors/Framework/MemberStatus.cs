namespace PdCluster.Actors.Framework;

/// <summary>
/// What a node writes under <c>status/&lt;node&gt;</c> (on its lease): each adapter's state and, once its
/// <see cref="FilterAgent"/> has reported, where the cluster's filters stand on the node.
/// </summary>
public sealed record MemberStatus(string Node, IReadOnlyDictionary<string, AdapterState> Adapters, FilterAgentStatus? Filters = null);
