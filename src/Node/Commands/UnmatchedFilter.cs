namespace PdCluster.Node.Commands;

/// <summary>A filter applied on a node but in force on none of its adapters: no adapter there has one of <paramref name="Labels"/>.</summary>
internal sealed record UnmatchedFilter(string Id, IReadOnlyList<string> Labels);
