using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Tests.Cluster.Etcd;

namespace PdCluster.Tests.Cluster;

/// <summary>What only a real etcd has: several members and failover, token auth and its expiry, TLS, and no member answering.</summary>
public sealed class EtcdStoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static Task<List<WatchEvent>> Take(IAsyncEnumerable<WatchEvent> watch, int count) => WatchReader.Take(watch, count, Patience);

    private static async Task WriteRoundTrip(IClusterStore store)
    {
        var revision = await store.PutAsync("/pd/rt", "v");
        var watch = Take(store.WatchAsync("/pd/rt", revision), 2);
        await store.PutAsync("/pd/rt", "w");
        Assert.Equal(["v", "w"], (await watch).Select(e => e.Item.Value));
        Assert.Equal("w", (await store.GetAsync("/pd/rt")).Items.Single().Value);
    }

    [EtcdFact]
    public async Task A_bulk_put_stops_at_a_refused_transaction_and_keeps_those_committed_before_it()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdStore(etcd.Options);
        // The third transaction's 128 values of 13,000 bytes pass etcd's default --max-request-bytes (1.5 MiB): it is refused.
        var keys = Enumerable.Range(0, 640).Select(i => KeyValuePair.Create($"/pd/bulk/{i:D3}", i is >= 256 and < 384 ? new string('x', 13_000) : $"v{i}")).ToList();

        var e = await Assert.ThrowsAsync<BulkPutException>(() => BulkPut.RunAsync(store, keys, inFlight: 1));

        Assert.Equal((256, 640), (e.WrittenKeys, e.Keys));
        Assert.IsType<EtcdException>(e.InnerException, exactMatch: false);
        Assert.Contains("request is too large", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("256 of 640 keys written ([0..255]), 128 in doubt ([256..383]), 256 not sent ([384..639]): ", e.Message, StringComparison.Ordinal);
        Assert.Equal(keys.Take(256).Select(k => k.Key), (await store.RangeAsync("/pd/bulk/")).Items.Select(i => i.Key));
    }

    [EtcdFact]
    public async Task A_dead_first_endpoint_hands_over_to_the_next_member()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var dead = new Uri($"http://127.0.0.1:{EtcdServer.FreePort()}");
        await using var store = new EtcdStore(etcd.Options with { Endpoints = [dead, .. etcd.Endpoints] });
        await WriteRoundTrip(store);
    }

    [EtcdFact]
    public async Task A_write_a_member_took_without_confirming_it_is_not_sent_to_the_next_member_but_a_read_is()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var taker = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        await using var store = new EtcdStore(etcd.Options with { Endpoints = [taker, .. etcd.Endpoints], RequestTimeout = TimeSpan.FromSeconds(1) });

        // The first member accepts the write and says nothing: it may have applied it, so the next must not get it too.
        foreach (var write in new Func<Task>[]
        {
            () => store.PutAsync("/pd/once", "v"),
            () => store.DeleteAsync("/pd/once"),
            () => store.TxnAsync([Compare.CreateRevision("/pd/once", 0)], [new TxnOp.Put("/pd/once", "t")]),
        })
        {
            var e = await Assert.ThrowsAsync<EtcdUnavailableException>(write);
            Assert.Contains($"{taker}: no answer within 1 s", e.Message, StringComparison.Ordinal);
            Assert.Contains("may have applied it, so it was not sent again", e.Message, StringComparison.Ordinal);
        }
        Assert.Empty((await store.GetAsync("/pd/once")).Items);

        // A read goes on to the next member, and writes follow it there.
        Assert.True(await store.PutAsync("/pd/once", "w") > 0);
        Assert.Equal("w", (await store.GetAsync("/pd/once")).Items.Single().Value);
    }

    [EtcdFact]
    public async Task A_watch_stays_on_one_stream_while_idle_for_longer_than_the_request_timeout()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdStore(etcd.Options with { RequestTimeout = TimeSpan.FromSeconds(1) });
        var from = await store.PutAsync("/pd/idle", "1");
        var watch = Take(store.WatchAsync("/pd/idle", from), 2);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var opened = await WatchStreamsStartedAsync(etcd.Endpoints[0]);

        await Task.Delay(TimeSpan.FromSeconds(3));
        await store.PutAsync("/pd/idle", "2");

        Assert.Equal(["1", "2"], (await watch).Select(e => e.Item.Value));
        Assert.Equal(opened, await WatchStreamsStartedAsync(etcd.Endpoints[0]));
    }

    [EtcdFact]
    public async Task A_watch_on_a_member_that_stops_answering_moves_to_another_and_loses_no_write()
    {
        await using var etcd = await EtcdServer.StartAsync(members: 3);
        // The watch streams from a follower, so stopping it leaves the other two their leader and their writes.
        var follower = (await etcd.LeaderAsync() + 1) % 3;
        var rest = Enumerable.Range(0, 3).Where(i => i != follower).Select(i => etcd.Endpoints[i]).ToList();
        await using var store = new EtcdStore(etcd.Options with { Endpoints = [etcd.Endpoints[follower], .. rest], RequestTimeout = TimeSpan.FromSeconds(2) });
        await using var others = new EtcdStore(etcd.Options with { Endpoints = rest });
        var from = await store.PutAsync("/pd/frozen", "0");
        await using var watch = store.WatchAsync("/pd/frozen", from).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal("0", watch.Current.Item.Value);

        etcd.Freeze(follower);
        try
        {
            await others.PutAsync("/pd/frozen", "1");
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(40)));
            Assert.Equal("1", watch.Current.Item.Value);
        }
        finally
        {
            etcd.Freeze(follower, frozen: false);
        }
    }

    [EtcdFact]
    public async Task A_watch_is_refused_by_a_member_without_a_leader_rather_than_left_open_and_silent()
    {
        await using var etcd = await EtcdServer.StartAsync(members: 3);
        etcd.Kill(1);
        etcd.Kill(2);
        await WaitLeaderlessAsync(etcd.Endpoints[0]);
        await using var store = new EtcdStore(etcd.Options with { Endpoints = [etcd.Endpoints[0]] });

        var refused = await Assert.ThrowsAsync<EtcdUnavailableException>(() => Take(store.WatchAsync("/pd/", 1), 1));
        Assert.Contains($"{etcd.Endpoints[0]}: etcdserver: no leader", refused.Message, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task An_endpoint_that_is_not_etcd_is_passed_over_for_the_next_member_even_for_a_write()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var web = NotEtcd.Start();
        await using var store = new EtcdStore(etcd.Options with { Endpoints = [web.Endpoint, etcd.Endpoints[0]] });

        var revision = await store.PutAsync("/pd/web", "1");
        Assert.Equal("1", (await store.GetAsync("/pd/web")).Items.Single().Value);
        await using (var fromWeb = new EtcdStore(etcd.Options with { Endpoints = [web.Endpoint, etcd.Endpoints[0]] }))
            Assert.Equal(["1"], (await Take(fromWeb.WatchAsync("/pd/web", revision), 1)).Select(e => e.Item.Value));

        await using var only = new EtcdStore(etcd.Options with { Endpoints = [web.Endpoint] });
        var failed = await Assert.ThrowsAsync<EtcdUnavailableException>(() => only.PutAsync("/pd/web", "2"));
        Assert.Contains($"{web.Endpoint}: not an etcd member: it answered HTTP 501", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("1", (await store.GetAsync("/pd/web")).Items.Single().Value);
    }

    /// <summary>Waits until <paramref name="member"/> reports no raft leader (the others gone: no quorum).</summary>
    private static async Task WaitLeaderlessAsync(Uri member)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var answer = await http.PostAsync(new Uri(member, "/v3/maintenance/status"), new StringContent("{}"));
            using var status = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            if (!status.RootElement.TryGetProperty("leader", out var leader) || leader.GetString() == "0")
                return;
            Assert.True(DateTime.UtcNow < deadline, $"{member} still names a leader");
            await Task.Delay(200);
        }
    }

    /// <summary>A web server on loopback that is not etcd: every request gets 501 and an HTML page, as Python's http.server answers a POST.</summary>
    private sealed class NotEtcd : IDisposable
    {
        private readonly HttpListener _listener = new();

        private NotEtcd(int port)
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Endpoint.ToString());
            _listener.Start();
            _ = ServeAsync();
        }

        public Uri Endpoint { get; }

        public static NotEtcd Start() => new(EtcdServer.FreePort());

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                context.Response.StatusCode = 501;
                context.Response.ContentType = "text/html";
                var page = System.Text.Encoding.UTF8.GetBytes("<!DOCTYPE HTML>\n<html><body><h1>Error response</h1><p>Error code: 501</p></body></html>\n");
                await context.Response.OutputStream.WriteAsync(page);
                context.Response.Close();
            }
        }
    }

    /// <summary>How many Watch streams the member has begun serving, from its Prometheus metrics.</summary>
    private static async Task<int> WatchStreamsStartedAsync(Uri member)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(member, "/metrics"));
        var line = metrics.Split('\n').Single(l => l.StartsWith("grpc_server_started_total{", StringComparison.Ordinal) && l.Contains("grpc_service=\"etcdserverpb.Watch\"", StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [EtcdFact]
    public async Task Killing_the_member_a_watch_streams_from_loses_no_write()
    {
        await using var etcd = await EtcdServer.StartAsync(members: 3);
        await using var store = new EtcdStore(etcd.Options);
        var from = (await store.GetAsync("/pd/")).Revision + 1;
        var watch = Take(store.WatchAsync("/pd/w/", from), 101);
        for (var i = 0; i < 50; i++)
            await store.PutAsync($"/pd/w/{i % 5}", $"{i}");

        etcd.Kill(0);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await store.PutAsync("/pd/w/after-kill", "50");
                break;
            }
            catch (EtcdUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
        for (var i = 51; i < 101; i++)
            await store.PutAsync($"/pd/w/{i % 5}", $"{i}");

        var events = await watch;
        Assert.Equal(Enumerable.Range(0, 101).Select(i => $"{i}"), events.Select(e => e.Item.Value));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Revision < p.Second.Revision));
    }

    [EtcdFact]
    public async Task With_auth_on_the_store_authenticates_and_authenticates_again_when_its_token_expires()
    {
        await using var etcd = await EtcdServer.StartAsync(authTokenTtlSeconds: 1);
        await etcd.EnableAuthAsync("secret");
        await using var store = new EtcdStore(etcd.Options with { User = "root", Password = "secret" });
        var first = await store.PutAsync("/pd/auth", "1");

        using var http = new HttpClient();
        using var login = await http.PostAsync(new Uri(etcd.Endpoints[0], "/v3/auth/authenticate"), new StringContent("""{"name":"root","password":"secret"}"""));
        var token = System.Text.Json.JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var stale = new HttpRequestMessage(HttpMethod.Post, new Uri(etcd.Endpoints[0], "/v3/kv/range")) { Content = new StringContent("""{"key":"Lw=="}""") };
        stale.Headers.TryAddWithoutValidation("Authorization", token);
        using var refused = await http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var second = await store.PutAsync("/pd/auth", "2");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(["1", "2"], (await Take(store.WatchAsync("/pd/auth", first), 2)).Select(e => e.Item.Value));
        Assert.True(second > first);

        await using var anonymous = new EtcdStore(etcd.Options);
        var refusedAnonymous = await Assert.ThrowsAsync<EtcdException>(() => anonymous.PutAsync("/pd/auth", "3"));
        Assert.Contains("user name is empty", refusedAnonymous.Message, StringComparison.Ordinal);
        await using var wrong = new EtcdStore(etcd.Options with { User = "root", Password = "wrong" });
        var refusedWrong = await Assert.ThrowsAsync<EtcdException>(() => wrong.GetAsync("/pd/auth"));
        Assert.Contains("user 'root'", refusedWrong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", refusedWrong.Message, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task Over_TLS_the_store_trusts_the_given_CA_and_presents_its_client_certificate()
    {
        await using var etcd = await EtcdServer.StartAsync(tls: true);
        Assert.All(etcd.Endpoints, e => Assert.Equal("https", e.Scheme));
        await using (var store = new EtcdStore(etcd.Options))
            await WriteRoundTrip(store);

        // Each failure says why: no client certificate, one from another CA, http:// to the TLS member.
        await using var withoutClientCertificate = new EtcdStore(etcd.Options with { CertFile = null, KeyFile = null });
        var unasked = await Assert.ThrowsAsync<EtcdUnavailableException>(() => withoutClientCertificate.GetAsync("/pd/rt"));
        Assert.True(unasked.Message.Contains($"{etcd.Endpoints[0]}: the member ended the TLS session (", StringComparison.Ordinal)
            && unasked.Message.Contains("it asks for a client certificate, and none is configured", StringComparison.Ordinal), unasked.Message);
        var other = TestCertificates.Create(Directory.CreateTempSubdirectory("pd-other-ca-").FullName);
        await using (var foreign = new EtcdStore(etcd.Options with { CertFile = other.ClientCert, KeyFile = other.ClientKey }))
        {
            var refused = await Assert.ThrowsAsync<EtcdUnavailableException>(() => foreign.GetAsync("/pd/rt"));
            Assert.True(refused.Message.Contains($"it refused the client certificate {other.ClientCert}", StringComparison.Ordinal), refused.Message);
        }
        Directory.Delete(Path.GetDirectoryName(other.Ca)!, recursive: true);
        var plain = new UriBuilder(etcd.Endpoints[0]) { Scheme = "http" }.Uri;
        await using (var http = new EtcdStore(new EtcdOptions { Endpoints = [plain] }))
        {
            var wrongScheme = await Assert.ThrowsAsync<EtcdUnavailableException>(() => http.GetAsync("/pd/rt"));
            Assert.True(wrongScheme.Message.Contains($"{plain}: the member speaks TLS: use https://{plain.Authority}", StringComparison.Ordinal), wrongScheme.Message);
        }
        await using var withoutCa = new EtcdStore(etcd.Options with { CaFile = null });
        var untrusted = await Assert.ThrowsAsync<EtcdUnavailableException>(() => withoutCa.GetAsync("/pd/rt"));
        Assert.Contains("SSL", untrusted.Message, StringComparison.OrdinalIgnoreCase);
    }

    [EtcdFact]
    public async Task With_no_member_answering_calls_and_watches_fail_naming_every_endpoint_within_their_timeouts()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var refused = new Uri($"http://127.0.0.1:{EtcdServer.FreePort()}");
        var unanswered = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        await using var store = new EtcdStore(new EtcdOptions { Endpoints = [refused, unanswered], RequestTimeout = TimeSpan.FromSeconds(1) });

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<EtcdUnavailableException>(() => store.PutAsync("/pd/k", "v"));
        Assert.True(clock.Elapsed < Patience, $"took {clock.Elapsed}");
        Assert.Contains($"{refused}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{unanswered}: no answer within 1 s", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<EtcdUnavailableException>(() => Take(store.WatchAsync("/pd/", 1), 1));
    }
}
