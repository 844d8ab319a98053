namespace PdCluster.Node.ClusterAccess;

/// <summary>A key under <c>filters/</c>: the id, the revision of its last write, the document as stored, and why it does not read (null when it does).</summary>
internal sealed record StoredFilter(string Id, long Revision, string Document, string? Error);
