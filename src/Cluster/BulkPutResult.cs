namespace PdCluster.Cluster;

/// <summary>
/// A committed <see cref="BulkPut"/>: how many keys, in how many transactions, how many of them were in flight at
/// most at once, the first and last revision they committed at (0 for an empty batch), and the most keys one
/// transaction held.
/// </summary>
public sealed record BulkPutResult(int Keys, int Transactions, int InFlight, long FirstRevision, long LastRevision, int TxnOps);
