using PdCluster.Cluster;

namespace PdCluster.Tests.VSwitch.Contract;

/// <summary>The switch's stored records on <see cref="InMemoryStore"/>.</summary>
public sealed class StoredSwitchRecordsOnMemoryTests : StoredSwitchRecordsContract
{
    private readonly InMemoryStore _store = new();

    protected override IClusterStore CreateStore() => _store;

    protected override bool SharesOneStore => true;
}
