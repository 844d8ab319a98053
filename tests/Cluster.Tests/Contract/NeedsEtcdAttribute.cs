using PdCluster.Tests.Cluster.Etcd;
using PdCluster.TestKit;

namespace PdCluster.Tests.Cluster.Contract;

/// <summary>Marks a store contract class that runs against a real etcd (see <see cref="EtcdPrerequisite"/>).</summary>
public sealed class NeedsEtcdAttribute : NeedsAttribute
{
    public override string? SkipReason() => EtcdPrerequisite.SkipReason();
}
