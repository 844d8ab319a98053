using PdCluster.Cluster;
using PdCluster.TestKit;

namespace PdCluster.Tests.Cluster.Contract;

/// <summary>
/// The <see cref="IClusterStore"/> contract both stores pass unchanged: revisions, prefix ranges, transactions on create
/// and mod revisions, deletes, leases (expiry, keepalive, revoke), ordered gap-free watches from a revision, and
/// compaction. Each test works under its own key prefix. Derive once per store.
/// </summary>
public abstract class ClusterStoreContract : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private IClusterStore _store = null!;

    /// <summary>This test's own key prefix.</summary>
    private string P { get; } = $"/t/{Guid.NewGuid():N}/";

    protected abstract Task<IClusterStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static Task<List<WatchEvent>> Take(IAsyncEnumerable<WatchEvent> watch, int count) => WatchReader.Take(watch, count, Patience);

    private async Task AwaitGone(string key)
    {
        var deadline = DateTime.UtcNow + Patience;
        while ((await _store.GetAsync(key)).Items.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{key} outlived its lease by more than {Patience.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    [ContractFact]
    public async Task Writes_get_increasing_revisions_and_a_prefix_is_read_at_one_revision()
    {
        var r1 = await _store.PutAsync($"{P}a/x", "1");
        var r2 = await _store.PutAsync($"{P}a/x", "2");
        var r3 = await _store.PutAsync($"{P}a/y", "3");
        await _store.PutAsync($"{P}ab", "outside");
        Assert.True(r1 < r2 && r2 < r3);
        var x = (await _store.GetAsync($"{P}a/x")).Items.Single();
        Assert.Equal(("2", r1, r2, 2L, 0L), (x.Value, x.CreateRevision, x.ModRevision, x.Version, x.Lease));
        var range = await _store.RangeAsync($"{P}a/");
        Assert.Equal([$"{P}a/x", $"{P}a/y"], range.Items.Select(i => i.Key));
        Assert.Equal(r3 + 1, range.Revision);
        Assert.Empty((await _store.RangeAsync($"{P}b/")).Items);
        Assert.Equal([$"{P}a/x", $"{P}a/y", $"{P}ab"], (await _store.RangeAsync(P)).Items.Select(i => i.Key));
    }

    [ContractFact]
    public async Task A_bulk_put_writes_every_key_in_transactions_of_the_maximum_each_one_revision()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => KeyValuePair.Create($"{P}bulk/{i:D4}", $"v{i}")).ToList();
        var first = (await _store.RangeAsync(P)).Revision;
        var written = await BulkPut.RunAsync(_store, keys, inFlight: 4);

        Assert.Equal((1000, 8, BulkPut.MaxTxnOps), (written.Keys, written.Transactions, written.TxnOps));
        Assert.InRange(written.InFlight, 1, 4);
        var stored = (await _store.RangeAsync($"{P}bulk/")).Items;
        Assert.Equal(keys.Select(k => (k.Key, k.Value)), stored.Select(i => (i.Key, i.Value)));
        // Each transaction is one revision holding 128 consecutive keys (the last the rest), whatever order they committed in.
        var events = await Take(_store.WatchAsync($"{P}bulk/", first), 1000);
        var revisions = events.GroupBy(e => e.Revision).Select(g => g.Select(e => e.Item.Key).ToList()).OrderBy(g => g[0], StringComparer.Ordinal).ToList();
        Assert.Equal(8, revisions.Count);
        Assert.Equal(keys.Select(k => k.Key).Chunk(BulkPut.MaxTxnOps).Select(c => c.ToList()), revisions);
        Assert.Equal(events.Min(e => e.Revision), written.FirstRevision);
        Assert.Equal(events.Max(e => e.Revision), written.LastRevision);
    }

    [ContractFact]
    public async Task Delete_removes_and_a_missing_key_changes_nothing()
    {
        var put = await _store.PutAsync($"{P}k", "v");
        var deleted = await _store.DeleteAsync($"{P}k");
        Assert.Equal(put + 1, deleted);
        Assert.Empty((await _store.GetAsync($"{P}k")).Items);
        Assert.Equal(deleted, await _store.DeleteAsync($"{P}k"));
    }

    [ContractFact]
    public async Task A_transaction_on_a_mod_revision_applies_its_writes_as_one_revision_only_while_it_holds()
    {
        var r1 = await _store.PutAsync($"{P}owner", "n1");
        await _store.PutAsync($"{P}other", "x");

        var won = await _store.TxnAsync([Compare.ModRevision($"{P}owner", r1)], [new TxnOp.Put($"{P}owner", "n2"), new TxnOp.Delete($"{P}other")]);
        Assert.True(won.Succeeded);
        var owner = (await _store.GetAsync($"{P}owner")).Items.Single();
        Assert.Equal(("n2", won.Revision), (owner.Value, owner.ModRevision));
        Assert.Empty((await _store.GetAsync($"{P}other")).Items);

        var lost = await _store.TxnAsync([Compare.ModRevision($"{P}owner", r1)], [new TxnOp.Put($"{P}owner", "n3")], [new TxnOp.Put($"{P}lost", "yes")]);
        Assert.False(lost.Succeeded);
        Assert.Equal("n2", (await _store.GetAsync($"{P}owner")).Items.Single().Value);
        Assert.Equal("yes", (await _store.GetAsync($"{P}lost")).Items.Single().Value);
        Assert.Equal(won.Revision + 1, lost.Revision);
    }

    [ContractFact]
    public async Task A_transaction_on_create_revision_zero_creates_a_key_once()
    {
        var first = await _store.TxnAsync([Compare.CreateRevision($"{P}leader", 0)], [new TxnOp.Put($"{P}leader", "a")]);
        var second = await _store.TxnAsync([Compare.CreateRevision($"{P}leader", 0)], [new TxnOp.Put($"{P}leader", "b")]);
        Assert.True(first.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Equal(first.Revision, second.Revision);
        var leader = (await _store.GetAsync($"{P}leader")).Items.Single();
        Assert.Equal(("a", first.Revision), (leader.Value, leader.CreateRevision));
        Assert.True((await _store.TxnAsync([Compare.CreateRevision($"{P}leader", first.Revision)], [])).Succeeded);
    }

    [ContractFact]
    public async Task Keys_on_a_lease_that_is_not_kept_alive_vanish()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await _store.PutAsync($"{P}members/n1", "up", lease);
        var item = (await _store.GetAsync($"{P}members/n1")).Items.Single();
        Assert.Equal(lease, item.Lease);
        var watch = Take(_store.WatchAsync($"{P}members/", item.ModRevision + 1), 1);

        await AwaitGone($"{P}members/n1");
        var gone = (await watch).Single();
        Assert.Equal((WatchEventType.Delete, $"{P}members/n1", ""), (gone.Type, gone.Item.Key, gone.Item.Value));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.KeepAliveAsync(lease));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.PutAsync($"{P}x", "y", lease));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.TxnAsync([], [new TxnOp.Put($"{P}x", "y", lease)]));
    }

    [ContractFact]
    public async Task Keepalives_keep_a_lease_past_its_ttl()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await _store.PutAsync($"{P}members/n1", "up", lease);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            await _store.KeepAliveAsync(lease);
            await Task.Delay(500);
        }
        Assert.Single((await _store.GetAsync($"{P}members/n1")).Items);
        await _store.RevokeAsync(lease);
    }

    [ContractFact]
    public async Task Revoke_deletes_the_leases_keys_at_once()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        await _store.PutAsync($"{P}a", "1", lease);
        await _store.PutAsync($"{P}b", "2", lease);
        await _store.PutAsync($"{P}c", "3");
        await _store.RevokeAsync(lease);
        Assert.Equal([$"{P}c"], (await _store.RangeAsync(P)).Items.Select(i => i.Key));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.RevokeAsync(lease));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.GrantLeaseAsync(TimeSpan.Zero));
    }

    [ContractFact]
    public async Task Rewriting_a_key_without_its_lease_detaches_it()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        await _store.PutAsync($"{P}k", "leased", lease);
        await _store.PutAsync($"{P}k", "kept");
        await _store.RevokeAsync(lease);
        Assert.Equal(("kept", 0L), (await _store.GetAsync($"{P}k")).Items.Single() is var k ? (k.Value, k.Lease) : default);
    }

    [ContractFact]
    public async Task A_watch_replays_history_from_a_revision_then_follows_live_and_a_delete_carries_the_last_value()
    {
        var first = await _store.PutAsync($"{P}f/1", "a");
        await _store.PutAsync($"{P}other", "ignored");
        await _store.PutAsync($"{P}f/2", "b");
        var watch = Take(_store.WatchAsync($"{P}f/", first), 4);
        await _store.DeleteAsync($"{P}f/1");
        await _store.PutAsync($"{P}f/2", "c");
        var events = await watch;
        Assert.Equal(["Put f/1 a", "Put f/2 b", "Delete f/1 ", "Put f/2 c"], events.Select(e => $"{e.Type} {e.Item.Key[P.Length..]} {e.Item.Value}"));
        Assert.Equal(first, events[0].Revision);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Revision < p.Second.Revision));
        Assert.All(events, e => Assert.Equal(e.Revision, e.Item.ModRevision));
    }

    [ContractFact]
    public async Task A_watch_sees_every_write_of_two_concurrent_writers_in_revision_order()
    {
        const int perWriter = 250;
        var from = (await _store.GetAsync(P)).Revision + 1;
        var watch = Take(_store.WatchAsync(P, from), 2 * perWriter);
        async Task Write(string writer)
        {
            for (var i = 0; i < perWriter; i++)
                await _store.PutAsync($"{P}{writer}/{i % 10}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        await Task.WhenAll(Task.Run(() => Write("w1")), Task.Run(() => Write("w2")));
        var events = await watch;
        Assert.Equal(2 * perWriter, events.Count);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Revision < p.Second.Revision), "revisions out of order");
        foreach (var writer in new[] { "w1", "w2" })
        {
            var mine = events.Where(e => e.Item.Key.StartsWith($"{P}{writer}/", StringComparison.Ordinal)).Select(e => int.Parse(e.Item.Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, perWriter), mine);
        }
    }

    [ContractFact]
    public async Task Watching_compacted_history_throws_CompactedException_and_the_compaction_point_is_watchable()
    {
        var first = await _store.PutAsync($"{P}k", "0");
        long last = first;
        for (var i = 1; i < 5; i++)
            last = await _store.PutAsync($"{P}k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _store.CompactAsync(last);
        await _store.CompactAsync(first);

        var e = await Assert.ThrowsAsync<CompactedException>(() => Take(_store.WatchAsync(P, first), 1));
        Assert.Equal(last, e.CompactRevision);
        var resumed = (await Take(_store.WatchAsync(P, e.CompactRevision), 1)).Single();
        Assert.Equal(("4", last), (resumed.Item.Value, resumed.Revision));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.CompactAsync(last + 1000));
    }
}
