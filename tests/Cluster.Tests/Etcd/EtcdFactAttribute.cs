namespace PdCluster.Tests.Cluster.Etcd;

/// <summary>A fact that needs a real etcd: skipped with the reason when etcd is missing, except under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EtcdFactAttribute : FactAttribute
{
    public EtcdFactAttribute()
    {
        if (EtcdPrerequisite.SkipReason() is { } reason)
            Skip = reason;
    }
}
