namespace PdCluster.Cluster;

/// <summary>The store refused a transaction, applying none of it, for holding more operations than its limit (etcd's <c>--max-txn-ops</c>).</summary>
public sealed class TooManyTxnOpsException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
