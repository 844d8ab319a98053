namespace PdCluster.Cluster;

/// <summary>A prefix read without its values: how many keys it holds, the newest mod revision among them, and the store revision read at.</summary>
public sealed record PrefixSummary(long Count, long NewestModRevision, long Revision);
