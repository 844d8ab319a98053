namespace PdCluster.Cluster;

/// <summary>
/// A <see cref="BulkPut"/> that stopped at a failed transaction: the keys and transactions committed before (or beside)
/// it stay written; <see cref="Exception.InnerException"/> is the failure.
/// </summary>
public sealed class BulkPutException(int writtenKeys, int keys, int writtenTransactions, int transactions, Exception cause)
    : Exception($"{writtenKeys} of {keys} keys written ({writtenTransactions} of {transactions} transactions committed) before a transaction failed: {cause.Message}", cause)
{
    /// <summary>The keys in committed transactions.</summary>
    public int WrittenKeys => writtenKeys;

    /// <summary>The keys asked for.</summary>
    public int Keys => keys;
}
