using PdCluster.Cluster;

namespace PdCluster.Tests.Cluster;

public sealed class InMemoryStoreTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private InMemoryStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new InMemoryStore(_time, historyLimit: 50, tick: TimeSpan.FromHours(1));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static Task<List<WatchEvent>> Take(IAsyncEnumerable<WatchEvent> watch, int count) => WatchReader.Take(watch, count, TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Writes_get_increasing_revisions_and_keys_keep_versions()
    {
        var r1 = await _store.PutAsync("/pd/a/x", "1");
        var r2 = await _store.PutAsync("/pd/a/x", "2");
        var r3 = await _store.PutAsync("/pd/a/y", "3");
        Assert.True(r1 < r2 && r2 < r3);
        var x = (await _store.GetAsync("/pd/a/x")).Items.Single();
        Assert.Equal(("2", r1, r2, 2L), (x.Value, x.CreateRevision, x.ModRevision, x.Version));
        var range = await _store.RangeAsync("/pd/a/");
        Assert.Equal(["/pd/a/x", "/pd/a/y"], range.Items.Select(i => i.Key));
        Assert.Equal(r3, range.Revision);
        Assert.Empty((await _store.RangeAsync("/pd/b/")).Items);
    }

    [Fact]
    public async Task Delete_removes_and_a_missing_key_changes_nothing()
    {
        await _store.PutAsync("/k", "v");
        var deleted = await _store.DeleteAsync("/k");
        Assert.Empty((await _store.GetAsync("/k")).Items);
        Assert.Equal(deleted, await _store.DeleteAsync("/k"));
    }

    [Fact]
    public async Task Watch_replays_history_from_a_revision_then_follows_live_in_order()
    {
        var first = await _store.PutAsync("/pd/f/1", "a");
        await _store.PutAsync("/other", "ignored");
        await _store.PutAsync("/pd/f/2", "b");
        var watch = Take(_store.WatchAsync("/pd/f/", first), 4);
        await _store.DeleteAsync("/pd/f/1");
        await _store.PutAsync("/pd/f/2", "c");
        var events = await watch;
        Assert.Equal(["Put /pd/f/1 a", "Put /pd/f/2 b", "Delete /pd/f/1 ", "Put /pd/f/2 c"], events.Select(e => $"{e.Type} {e.Item.Key} {e.Item.Value}"));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Revision < p.Second.Revision));
    }

    [Fact]
    public async Task Watching_compacted_history_says_so()
    {
        for (var i = 0; i < 60; i++)
            await _store.PutAsync("/k", i.ToString());
        var e = await Assert.ThrowsAsync<CompactedException>(() => Take(_store.WatchAsync("/", 2), 1));
        Assert.True(e.CompactRevision > 2);
        Assert.Single(await Take(_store.WatchAsync("/", e.CompactRevision), 1));
    }

    [Fact]
    public async Task Keys_on_an_expired_lease_vanish_with_delete_events()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await _store.PutAsync("/pd/c/members/n1", "up", lease);
        var watch = Take(_store.WatchAsync("/pd/c/members/", _store.Revision + 1), 1);

        _time.Now += TimeSpan.FromSeconds(1.5);
        await _store.KeepAliveAsync(lease);
        _time.Now += TimeSpan.FromSeconds(1.5);
        _store.ExpireLeases();
        Assert.Single((await _store.GetAsync("/pd/c/members/n1")).Items);

        _time.Now += TimeSpan.FromSeconds(1);
        _store.ExpireLeases();
        Assert.Empty((await _store.GetAsync("/pd/c/members/n1")).Items);
        Assert.Equal(WatchEventType.Delete, (await watch).Single().Type);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.KeepAliveAsync(lease));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.PutAsync("/x", "y", lease));
    }

    [Fact]
    public async Task Revoke_deletes_the_leases_keys_at_once()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await _store.PutAsync("/a", "1", lease);
        await _store.PutAsync("/b", "2", lease);
        await _store.PutAsync("/c", "3");
        await _store.RevokeAsync(lease);
        Assert.Equal(["/c"], (await _store.RangeAsync("/")).Items.Select(i => i.Key));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.RevokeAsync(lease));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.GrantLeaseAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task Rewriting_a_key_without_its_lease_detaches_it()
    {
        var lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await _store.PutAsync("/k", "leased", lease);
        await _store.PutAsync("/k", "kept");
        await _store.RevokeAsync(lease);
        Assert.Equal("kept", (await _store.GetAsync("/k")).Items.Single().Value);
    }
}
