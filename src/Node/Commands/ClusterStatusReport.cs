namespace PdCluster.Node.Commands;

/// <summary><c>pd cluster status</c>: the newest filter change, and per node how far behind it is and what it refused; the failover coordinator and the items no node owns.</summary>
internal sealed record ClusterStatusReport(long NewestChange, int Filters, IReadOnlyList<NodeLag> Nodes, string? Coordinator, IReadOnlyList<string> Unowned);

