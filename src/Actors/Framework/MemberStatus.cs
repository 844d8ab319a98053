namespace PdCluster.Actors.Framework;

/// <summary>What a node writes under <c>status/&lt;node&gt;</c>: each adapter's state.</summary>
public sealed record MemberStatus(string Node, IReadOnlyDictionary<string, AdapterState> Adapters);
