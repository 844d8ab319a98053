namespace PdCluster.Node.ClusterAccess;

/// <summary>A committed write or delete of a cluster filter, and its store revision.</summary>
internal sealed record FilterWritten(string Id, long Revision);
