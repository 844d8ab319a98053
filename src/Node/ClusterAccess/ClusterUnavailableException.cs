namespace PdCluster.Node.ClusterAccess;

/// <summary>The store (or the node that holds it) cannot be reached or did not answer: a runtime failure, exit code 1.</summary>
internal sealed class ClusterUnavailableException(string message) : Exception(message);
