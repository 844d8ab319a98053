namespace PdCluster.Cluster;

/// <summary>A write inside a transaction: <see cref="Put"/> or <see cref="Delete"/>.</summary>
public abstract record TxnOp(string Key)
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, optionally on a lease.</summary>
    public sealed record Put(string Key, string Value, long Lease = 0) : TxnOp(Key);

    /// <summary>Deletes <paramref name="key"/> if it exists.</summary>
    public sealed record Delete(string Key) : TxnOp(Key);
}
