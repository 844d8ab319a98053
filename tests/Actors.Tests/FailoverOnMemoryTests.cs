using PdCluster.Cluster;
using Xunit.Abstractions;

namespace PdCluster.Tests.Actors;

/// <summary>Cross-host failover on <see cref="InMemoryStore"/>.</summary>
public sealed class FailoverOnMemoryTests(ITestOutputHelper output) : FailoverContract(output)
{
    protected override Task<IClusterStore> CreateStoreAsync() => Task.FromResult<IClusterStore>(new InMemoryStore(tick: TimeSpan.FromMilliseconds(50)));
}
