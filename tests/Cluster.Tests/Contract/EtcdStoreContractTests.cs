using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Tests.Cluster.Etcd;

namespace PdCluster.Tests.Cluster.Contract;

/// <summary>The store contract on <see cref="EtcdStore"/> against a real etcd member on loopback.</summary>
[NeedsEtcd]
public sealed class EtcdStoreContractTests(EtcdFixture etcd) : ClusterStoreContract, IClassFixture<EtcdFixture>
{
    protected override Task<IClusterStore> CreateStoreAsync() => Task.FromResult<IClusterStore>(new EtcdStore(etcd.Server.Options));
}
