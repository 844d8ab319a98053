using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Tests.Cluster.Contract;
using PdCluster.Tests.Cluster.Etcd;
using Xunit.Abstractions;

namespace PdCluster.Tests.Actors;

/// <summary>Cross-host failover on <see cref="EtcdStore"/> against a real etcd member on loopback.</summary>
[NeedsEtcd]
public sealed class FailoverOnEtcdTests(EtcdFixture etcd, ITestOutputHelper output) : FailoverContract(output), IClassFixture<EtcdFixture>
{
    protected override Task<IClusterStore> CreateStoreAsync() => Task.FromResult<IClusterStore>(new EtcdStore(etcd.Server.Options));
}
