namespace PdCluster.Cluster;

/// <summary>A watch asked for history the store no longer keeps.</summary>
public sealed class CompactedException(long compactRevision) : InvalidOperationException($"Revisions before {compactRevision} are compacted.")
{
    /// <summary>The oldest revision still watchable.</summary>
    public long CompactRevision { get; } = compactRevision;
}
