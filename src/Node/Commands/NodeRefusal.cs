namespace PdCluster.Node.Commands;

/// <summary>A node that refused a cluster filter: on which adapter (null: the whole node) and why.</summary>
internal sealed record NodeRefusal(string Node, string? Adapter, string Error);
