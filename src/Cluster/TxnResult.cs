namespace PdCluster.Cluster;

/// <summary>A transaction's outcome: whether every comparison held, and the store revision after it.</summary>
public sealed record TxnResult(bool Succeeded, long Revision);
