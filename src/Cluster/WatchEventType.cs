namespace PdCluster.Cluster;

/// <summary>Whether a watched key was written or deleted.</summary>
public enum WatchEventType
{
    Put,
    Delete,
}
