namespace PdCluster.Actors.Framework;

/// <summary>Every adapter's status, and the node's teams (empty when it has none).</summary>
public sealed record NodeStatus(string Node, IReadOnlyList<AdapterStatus> Adapters)
{
    /// <summary>Each team's members and failovers, as its <see cref="TeamFailover"/> last published them.</summary>
    public IReadOnlyList<TeamStatus> Teams { get; init; } = [];
}
