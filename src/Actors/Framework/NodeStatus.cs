namespace PdCluster.Actors.Framework;

/// <summary>Every adapter's status.</summary>
public sealed record NodeStatus(string Node, IReadOnlyList<AdapterStatus> Adapters);
