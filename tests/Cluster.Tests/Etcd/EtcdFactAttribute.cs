using PdCluster.TestKit;

namespace PdCluster.Tests.Cluster.Etcd;

/// <summary>A fact that needs a real etcd: skipped with the reason when etcd is missing, except under CI=true.</summary>
public sealed class EtcdFactAttribute() : PrerequisiteFactAttribute(EtcdPrerequisite.SkipReason());
