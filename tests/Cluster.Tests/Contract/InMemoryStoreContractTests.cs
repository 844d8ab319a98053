using PdCluster.Cluster;

namespace PdCluster.Tests.Cluster.Contract;

/// <summary>The store contract on <see cref="InMemoryStore"/>.</summary>
public sealed class InMemoryStoreContractTests : ClusterStoreContract
{
    protected override Task<IClusterStore> CreateStoreAsync() => Task.FromResult<IClusterStore>(new InMemoryStore(tick: TimeSpan.FromMilliseconds(50)));
}
