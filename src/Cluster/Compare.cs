namespace PdCluster.Cluster;

/// <summary>
/// One condition of a transaction: a key's create or mod revision equals <see cref="Revision"/> (0: the key is absent).
/// </summary>
public sealed record Compare(string Key, CompareTarget Target, long Revision)
{
    /// <summary>The key was last written at <paramref name="revision"/> (0: it does not exist).</summary>
    public static Compare ModRevision(string key, long revision) => new(key, CompareTarget.ModRevision, revision);

    /// <summary>The key was created at <paramref name="revision"/> (0: it does not exist).</summary>
    public static Compare CreateRevision(string key, long revision) => new(key, CompareTarget.CreateRevision, revision);
}
