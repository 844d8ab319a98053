namespace PdCluster.Cluster;

/// <summary>Which revision of a key a <see cref="Compare"/> tests.</summary>
public enum CompareTarget
{
    CreateRevision,
    ModRevision,
}
