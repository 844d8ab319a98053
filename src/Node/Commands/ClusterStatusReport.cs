namespace PdCluster.Node.Commands;

/// <summary><c>pd cluster status</c>: the newest filter change, and per node how far behind it is and what it refused.</summary>
internal sealed record ClusterStatusReport(long NewestChange, int Filters, IReadOnlyList<NodeLag> Nodes);

