namespace PdCluster.Node.ClusterAccess;

/// <summary>The store side refused a request as bad input (a filter that does not read, no such filter): exit code 2.</summary>
internal sealed class ClusterRefusedException(string message) : Exception(message);
