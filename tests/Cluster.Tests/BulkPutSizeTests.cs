using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Tests.Cluster.Etcd;

namespace PdCluster.Tests.Cluster;

/// <summary>How <see cref="BulkPut"/> sizes its transactions: large where the store's limit allows, etcd's default otherwise.</summary>
public sealed class BulkPutSizeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Writes 3,000 keys and checks they are stored, each transaction one revision of consecutive keys of the expected sizes.</summary>
    private static async Task AssertWrittenInTransactionsOf(IClusterStore store, int[] sizes)
    {
        var keys = Enumerable.Range(0, 3000).Select(i => KeyValuePair.Create($"/pd/size/{i:D4}", $"v{i}")).ToList();
        var before = (await store.RangeAsync("/pd/")).Revision;

        var written = await BulkPut.RunAsync(store, keys, inFlight: 4);

        Assert.Equal((3000, sizes.Length, sizes.Max()), (written.Keys, written.Transactions, written.TxnOps));
        Assert.Equal(keys.Select(k => (k.Key, k.Value)), (await store.RangeAsync("/pd/size/")).Items.Select(i => (i.Key, i.Value)));
        var events = await WatchReader.Take(store.WatchAsync("/pd/size/", before + 1), 3000, Patience);
        var revisions = events.GroupBy(e => e.Revision).Select(g => g.Select(e => e.Item.Key).ToList()).OrderBy(g => g[0], StringComparer.Ordinal).ToList();
        Assert.Equal(sizes, revisions.Select(r => r.Count));
        Assert.Equal(keys.Select(k => k.Key), revisions.SelectMany(r => r));
        // The probe of the store's limit wrote nothing: the first transaction is the next revision.
        Assert.Equal(before + 1, written.FirstRevision);
    }

    [Fact]
    public async Task A_store_whose_limit_is_raised_takes_transactions_of_1024()
    {
        await using var store = new InMemoryStore { MaxTxnOps = 1024 };
        await AssertWrittenInTransactionsOf(store, [1024, 1024, 952]);
    }

    [Fact]
    public async Task A_store_at_etcd_s_default_limit_takes_transactions_of_128()
    {
        await using var store = new InMemoryStore();
        await AssertWrittenInTransactionsOf(store, [.. Enumerable.Repeat(128, 23), 56]);
    }

    [Fact]
    public async Task A_transaction_over_the_limit_is_refused_whole()
    {
        await using var store = new InMemoryStore();
        var before = store.Revision;
        await Assert.ThrowsAsync<TooManyTxnOpsException>(() => store.TxnAsync([], [.. Enumerable.Range(0, 129).Select(i => new TxnOp.Put($"/pd/x/{i}", "v"))]));
        Assert.Equal(before, store.Revision);
        Assert.Empty((await store.RangeAsync("/pd/x/")).Items);
    }

    [Fact]
    public async Task Large_values_cut_a_large_transaction_short_of_etcd_s_request_limit()
    {
        await using var store = new InMemoryStore { MaxTxnOps = 1024 };
        // 300 values of 10,000 bytes: 3 MB, more than 768 KiB to a transaction allows.
        var keys = Enumerable.Range(0, 300).Select(i => KeyValuePair.Create($"/pd/big/{i:D3}", new string('x', 10_000))).ToList();

        var written = await BulkPut.RunAsync(store, keys);

        Assert.Equal(300, (await store.RangeAsync("/pd/big/")).Items.Count);
        Assert.Equal(4, written.Transactions);
        Assert.Equal(78, written.TxnOps);
    }

    [EtcdFact]
    public async Task Etcd_with_max_txn_ops_1024_takes_transactions_of_1024()
    {
        await using var etcd = await EtcdServer.StartAsync(maxTxnOps: 1024);
        await using var store = new EtcdStore(etcd.Options);
        await AssertWrittenInTransactionsOf(store, [1024, 1024, 952]);
    }

    [EtcdFact]
    public async Task Etcd_at_its_default_limit_takes_transactions_of_128()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdStore(etcd.Options);
        await AssertWrittenInTransactionsOf(store, [.. Enumerable.Repeat(128, 23), 56]);
    }
}
