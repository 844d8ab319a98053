using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Tests.Cluster.Contract;
using PdCluster.Tests.Cluster.Etcd;

namespace PdCluster.Tests.VSwitch.Contract;

/// <summary>The switch's stored records on <see cref="EtcdStore"/> against a real etcd member on loopback, each writer with a client of its own.</summary>
[NeedsEtcd]
public sealed class StoredSwitchRecordsOnEtcdTests(EtcdFixture etcd) : StoredSwitchRecordsContract, IClassFixture<EtcdFixture>
{
    protected override IClusterStore CreateStore() => new EtcdStore(etcd.Server.Options);

    protected override bool SharesOneStore => false;
}
