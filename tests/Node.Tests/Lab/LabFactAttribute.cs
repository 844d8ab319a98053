using PdCluster.Tests.Cluster.Etcd;
using PdCluster.Tests.Provider.Veth;
using PdCluster.TestKit;

namespace PdCluster.Tests.Node.Lab;

/// <summary>A fact that needs both the veth host (root, iproute2, libxdp) and etcd: skipped with the reason when either is missing, except under CI=true.</summary>
public sealed class LabFactAttribute() : PrerequisiteFactAttribute(HostPrerequisite.SkipReason() ?? EtcdPrerequisite.SkipReason());
