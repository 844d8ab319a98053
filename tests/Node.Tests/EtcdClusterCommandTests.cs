using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PdCluster.Tests.Cluster.Etcd;
using static PdCluster.Tests.Node.ClusterCommandTests;

namespace PdCluster.Tests.Node;

/// <summary>
/// The cluster commands straight to etcd (<c>--etcd</c> and its options, or <c>--config</c>), as processes: against a
/// real etcd beside a real node on <c>store: etcd</c>, over TLS with auth, with no member answering, and with bad options.
/// </summary>
public sealed class EtcdClusterCommandTests
{
    /// <summary>Every cluster command, each with what it needs besides the store's options.</summary>
    private static readonly string[][] Commands = [["filter", "ls"], ["filter", "show", "web"], ["filter", "rm", "web"], ["filter", "add", "--id", "web", "--action", "count"], ["node", "ls"], ["cluster", "status"]];

    /// <summary>The <c>store: etcd</c> keys of a node in cluster <paramref name="cluster"/> on <paramref name="etcd"/>, with <paramref name="keys"/> added to its <c>etcd</c> section.</summary>
    private static string OnEtcd(EtcdServer etcd, string cluster, string keys = "") =>
        $$""" "cluster": "{{cluster}}", "store": "etcd", "etcd": { "endpoints": ["{{etcd.Endpoints[0]}}"] {{keys}} }, """;

    [EtcdFact]
    public async Task Add_wait_ls_show_node_ls_cluster_status_and_rm_go_to_etcd_itself_and_work_once_the_node_is_gone()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var direct = new[] { "--etcd", $"{etcd.Endpoints[0]}", "--cluster", "edge-lab" };
        string admin;
        await using (var node = await RunningNode.StartAsync(OnEtcd(etcd, "edge-lab")))
        {
            admin = node.Endpoint;
            await AddListShowAndReportAsync(node, direct);

            // --config reads the node's own configuration: the same etcd and cluster.
            var (exit, output, error) = await Run(["filter", "ls", "-o", "json", "--config", node.Config.Path]);
            Assert.True(exit == 0, error);
            using (var list = JsonDocument.Parse(output))
                Assert.Equal(["edge-dns", "q9", "web"], list.RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()));
            // The member record in etcd names the node's admin endpoint.
            (exit, output, _) = await Run(["node", "ls", "-o", "json", "--config", node.Config.Path]);
            Assert.Equal(0, exit);
            using (var nodes = JsonDocument.Parse(output))
                Assert.Equal(admin, $"http://{Assert.Single(nodes.RootElement.EnumerateArray()).GetProperty("admin").GetString()}");

            (exit, output, error) = await Run(["filter", "rm", "q9", .. direct]);
            Assert.True(exit == 0, error);
            Assert.Matches("^filter q9 deleted at revision [0-9]+$", output.Trim());
        }

        // The node stopped (its lease revoked, its admin endpoint closed): etcd still answers for the cluster.
        var (gone, _, refused) = await Run("filter", "ls", "--endpoint", admin);
        Assert.Equal(1, gone);
        Assert.StartsWith($"pd: no node answers at {admin}/", refused);
        var (code, listed, problem) = await Run(["filter", "ls", "-o", "json", .. direct]);
        Assert.True(code == 0, problem);
        using (var list = JsonDocument.Parse(listed))
            Assert.Equal(["edge-dns", "web"], list.RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        (code, listed, problem) = await Run(["filter", "rm", "web", .. direct]);
        Assert.True(code == 0, problem);
        (code, _, problem) = await Run(["filter", "show", "web", .. direct]);
        Assert.Equal(2, code);
        Assert.Equal("pd: no cluster filter 'web'.", problem.Trim());
        // Its member record and status lived on its lease, so no node is left; the filters stay.
        (code, listed, _) = await Run(["node", "ls", "-o", "json", .. direct]);
        Assert.Equal(0, code);
        Assert.Equal("[]", listed.Trim());
        (code, listed, _) = await Run(["cluster", "status", "-o", "json", .. direct]);
        Assert.Equal(0, code);
        using (var status = JsonDocument.Parse(listed))
        {
            Assert.Equal(1, status.RootElement.GetProperty("filters").GetInt32());
            Assert.Empty(status.RootElement.GetProperty("nodes").EnumerateArray());
        }

        // Another cluster's keys are apart: --cluster names whose filters these are.
        (code, listed, problem) = await Run("filter", "ls", "-o", "json", "--etcd", $"{etcd.Endpoints[0]}", "--cluster", "other");
        Assert.Equal(0, code);
        Assert.Equal("[]", listed.Trim());
        // ... and a cluster name no node has used is said to be one, in case it is a slip.
        Assert.Equal("pd: warning: etcd holds no key under /pd/other/: no node of cluster 'other' has used it; --cluster names the nodes' \"cluster\" (default lab).", problem.Trim());
        (code, _, problem) = await Run("filter", "ls", "--etcd", $"{etcd.Endpoints[0]}", "--cluster", "edge-lab");
        Assert.Equal(0, code);
        Assert.DoesNotContain("warning", problem, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task A_node_whose_etcd_stops_answering_says_so_through_its_endpoint_before_pd_gives_up()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var node = await RunningNode.StartAsync(OnEtcd(etcd, "edge-lab"));
        etcd.Freeze(0);
        try
        {
            var (exit, _, error) = await Run("filter", "ls", "--endpoint", node.Endpoint);
            Assert.Equal(1, exit);
            Assert.Contains("the cluster store does not answer: No etcd member answered", error, StringComparison.Ordinal);
            Assert.Contains($"{etcd.Endpoints[0]}: no answer within 5 s", error, StringComparison.Ordinal);
        }
        finally
        {
            etcd.Freeze(0, frozen: false);
        }
    }

    [EtcdFact]
    public async Task A_file_holding_a_list_is_checked_whole_then_written_in_transactions_of_128_and_a_bad_one_writes_nothing()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var config = new TempConfig();
        string[] direct = ["--etcd", $"{etcd.Endpoints[0]}", "--cluster", "bulk"];
        var many = FilterListFile.Write(Path.Combine(config.Directory, "many.json"), FilterListFile.Many("bulk", 300));

        var (exit, output, error) = await Run(["filter", "add", many, "-o", "json", .. direct]);

        Assert.True(exit == 0, error);
        using (var added = JsonDocument.Parse(output))
        {
            var r = added.RootElement;
            Assert.Equal((300, 3), (r.GetProperty("filters").GetInt32(), r.GetProperty("transactions").GetInt32()));
            Assert.InRange(r.GetProperty("inFlight").GetInt32(), 1, 3);
            // Three transactions, three revisions.
            Assert.Equal(2, r.GetProperty("lastRevision").GetInt64() - r.GetProperty("firstRevision").GetInt64());
        }
        Assert.Equal(FilterListFile.Many("bulk", 300).Select((_, i) => $"bulk-{i:D4}"), await IdsAsync(direct));

        // One bad document refuses the whole file before anything is written; the message names the file, the index, the id and the problem.
        var late = FilterListFile.Many("late", 50).ToList();
        late[37] = FilterListFile.Document("late-0037", 99_999);
        var bad = FilterListFile.Write(Path.Combine(config.Directory, "bad.json"), late);
        var duplicate = FilterListFile.Write(Path.Combine(config.Directory, "duplicate.json"), [FilterListFile.Document("a", 1), FilterListFile.Document("b", 2), FilterListFile.Document("a", 3)]);
        var notDocument = FilterListFile.Write(Path.Combine(config.Directory, "number.json"), [FilterListFile.Document("a", 1), "7"]);
        var empty = FilterListFile.Write(Path.Combine(config.Directory, "empty.json"), []);
        var torn = Path.Combine(config.Directory, "torn.json");
        await File.WriteAllTextAsync(torn, $"[{FilterListFile.Document("a", 1)},\n{{ \"schemaVersion\": 1");
        var cases = new (string[] Args, string Message)[]
        {
            ([bad], $"pd: {bad} [37]: filter.match.destinationPort (filter 'late-0037'): 99999 does not fit in 16 bits (0 to 65535)."),
            ([duplicate], $"pd: {duplicate} [2]: filter.id: 'a' is the id of [0] as well; a file writes each filter once."),
            ([notDocument], $"pd: {notDocument} [1]: is a number; each item of the list is a filter document"),
            ([empty], $"pd: {empty}: the list holds no filter documents; nothing to write."),
            ([torn], $"pd: {torn}: line 2, column "),
            ([many, "--in-flight", "0"], "pd: --in-flight: '0' is not a whole number from 1 to 64."),
            ([many, "--in-flight", "65"], "pd: --in-flight: '65' is not a whole number from 1 to 64."),
        };
        foreach (var (args, message) in cases)
        {
            (exit, output, error) = await Run(["filter", "add", .. args, .. direct]);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}: {error}");
            Assert.StartsWith(message, error);
            Assert.Equal("", output);
            Assert.DoesNotContain("   at ", error);
        }
        Assert.Equal(300, (await IdsAsync(direct)).Count);

        // The text form, one transaction.
        var two = FilterListFile.Write(Path.Combine(config.Directory, "two.json"), FilterListFile.Many("two", 2));
        (exit, output, error) = await Run(["filter", "add", two, "--in-flight", "2", .. direct]);
        Assert.True(exit == 0, error);
        Assert.Matches("^2 filters written in 1 transaction \\(1 in flight\\) at revisions ([0-9]+) to \\1$", output.Trim());
        Assert.Equal(302, (await IdsAsync(direct)).Count);
    }

    /// <summary>The ids <c>pd filter ls</c> lists.</summary>
    private static async Task<List<string>> IdsAsync(string[] store)
    {
        var (exit, output, error) = await Run(["filter", "ls", "-o", "json", .. store]);
        Assert.True(exit == 0, error);
        using var list = JsonDocument.Parse(output);
        return [.. list.RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
    }

    [EtcdFact]
    public async Task Fifteen_thousand_refused_filters_keep_the_status_small_and_wait_still_tells_applied_from_refused()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var node = await RunningNode.StartAsync(OnEtcd(etcd, "refusals"));
        string[] direct = ["--etcd", $"{etcd.Endpoints[0]}", "--cluster", "refusals"];
        // Queue 9 on an adapter with 2: every one refused (1.7 MB of refusals, more than etcd takes in one request).
        var file = FilterListFile.Write(Path.Combine(node.Config.Directory, "q9.json"), Enumerable.Range(0, 15_000).Select(i =>
            $$"""{ "schemaVersion": 1, "filter": { "id": "q9-{{i:D5}}", "priority": 50, "action": "count", "queue": 9, "match": { "protocol": "udp", "destinationPort": "{{1000 + i}}" } } }"""));

        var (exit, output, error) = await Run(["filter", "add", file, "--wait", "--timeout", "120", "-o", "json", .. direct]);
        Assert.True(exit == 1, error);
        using (var added = JsonDocument.Parse(output))
        {
            Assert.Empty(added.RootElement.GetProperty("appliedOn").EnumerateArray());
            var refusals = added.RootElement.GetProperty("refusedOn").EnumerateArray().ToList();
            Assert.Equal(100, refusals.Count);
            Assert.All(refusals, r => Assert.Contains("queue 9 does not exist on pd0", r.GetProperty("error").GetString()));
        }

        (exit, output, error) = await Run(["filter", "add", "--id", "good", "--action", "count", "--match", "protocol=udp,destinationPort=53", "--wait", "--timeout", "60", .. direct]);
        Assert.True(exit == 0, error);
        Assert.Matches("^filter good written at revision [0-9]+; applied on test-node$", output.Trim());
        (exit, _, error) = await Run(["filter", "add", "--id", "bad", "--action", "count", "--queue", "9", "--wait", "--timeout", "60", .. direct]);
        Assert.Equal(1, exit);
        Assert.Matches("^pd: filter bad \\(revision [0-9]+\\) was refused: test-node/pd0: filter 'bad': queue 9 does not exist on pd0 \\(queues 0..1\\).$", error.Trim());

        (exit, output, error) = await Run(["cluster", "status", "-o", "json", .. direct]);
        Assert.True(exit == 0, error);
        using (var status = JsonDocument.Parse(output))
        {
            var only = Assert.Single(status.RootElement.GetProperty("nodes").EnumerateArray());
            Assert.Equal(0, only.GetProperty("lag").GetInt64());
            Assert.Equal(15_001, only.GetProperty("rejectedCount").GetInt32());
            Assert.Equal("bad", only.GetProperty("rejected").EnumerateArray().First().GetProperty("id").GetString());
            Assert.Equal(100, only.GetProperty("rejected").GetArrayLength());
        }
        (exit, output, _) = await Run(["cluster", "status", .. direct]);
        Assert.Equal(0, exit);
        Assert.Contains("(15001 refused in all; the newest 100 listed)", output);
        using var raw = etcd.Client();
        var body = $$"""{"key":"{{Convert.ToBase64String("/pd/refusals/status/test-node"u8)}}"}""";
        using var range = JsonDocument.Parse(await (await raw.PostAsync(new Uri(etcd.Endpoints[0], "/v3/kv/range"), new StringContent(body))).Content.ReadAsStringAsync());
        Assert.InRange(Convert.FromBase64String(range.RootElement.GetProperty("kvs")[0].GetProperty("value").GetString()!).Length, 1, 64 * 1024);
    }

    [EtcdFact]
    public async Task Over_TLS_with_auth_the_commands_present_the_certificate_and_user_and_never_print_the_password()
    {
        await using var etcd = await EtcdServer.StartAsync(tls: true);
        await etcd.EnableAuthAsync("s3cret-pw");
        var tls = etcd.Tls!;
        var secrets = Path.GetDirectoryName(tls.Ca)!;
        var password = Path.Combine(secrets, "password");
        await File.WriteAllTextAsync(password, "s3cret-pw\n");
        var wrong = Path.Combine(secrets, "wrong-password");
        await File.WriteAllTextAsync(wrong, "guessed-pw\n");
        var endpoint = new[] { "--etcd", $"{etcd.Endpoints[0]}" };
        var certificate = new[] { "--etcd-cert", tls.ClientCert, "--etcd-key", tls.ClientKey };
        string[] direct = [.. endpoint, "--etcd-ca", tls.Ca, .. certificate, "--etcd-user", "root", "--etcd-password-file", password];
        var printed = new List<string>();

        await using (var node = await RunningNode.StartAsync(OnEtcd(etcd, "lab", $$""", "caFile": "{{tls.Ca}}", "certFile": "{{tls.ClientCert}}", "keyFile": "{{tls.ClientKey}}", "user": "root", "passwordFile": "{{password}}" """)))
        {
            // No --cluster: the default cluster is the node's default, lab.
            var (exit, output, error) = await Run(["filter", "add", "--id", "web", "--action", "count", "--match", "destinationPort=80", "--wait", .. direct]);
            printed.AddRange([output, error]);
            Assert.True(exit == 0, error);
            Assert.Matches("^filter web written at revision [0-9]+; applied on test-node$", output.Trim());
            (exit, output, error) = await Run(["node", "ls", "-o", "json", "--config", node.Config.Path]);
            printed.AddRange([output, error]);
            Assert.True(exit == 0, error);
            using (var nodes = JsonDocument.Parse(output))
                Assert.True(Assert.Single(nodes.RootElement.EnumerateArray()).GetProperty("live").GetBoolean());
        }

        var (code, listed, problem) = await Run(["filter", "ls", "-o", "json", .. direct]);
        printed.AddRange([listed, problem]);
        Assert.True(code == 0, problem);
        using (var list = JsonDocument.Parse(listed))
            Assert.Equal("web", Assert.Single(list.RootElement.EnumerateArray()).GetProperty("id").GetString());

        // A wrong password: etcd refuses the user; the message names the endpoint and not the password.
        (code, listed, problem) = await Run(["filter", "ls", .. endpoint, "--etcd-ca", tls.Ca, .. certificate, "--etcd-user", "root", "--etcd-password-file", wrong]);
        printed.AddRange([listed, problem]);
        Assert.Equal(1, code);
        Assert.StartsWith("pd: etcd refused user 'root': etcdserver: authentication failed, invalid user ID or password", problem);
        Assert.Contains($"(etcd at {etcd.Endpoints[0]})", problem);
        Assert.Single(problem.Trim().Split('\n'));

        // No user: etcd with auth on does not take the certificate for one; the message says what to give.
        (code, listed, problem) = await Run(["filter", "ls", .. endpoint, "--etcd-ca", tls.Ca, .. certificate]);
        printed.AddRange([listed, problem]);
        Assert.Equal(1, code);
        Assert.EndsWith("; no etcd user was given: --etcd-user and --etcd-password-file, or the configuration's etcd.user and passwordFile", problem.Trim());

        // The members' certificate checked against the system's trust, without --etcd-ca: the handshake fails, and says why.
        (code, _, problem) = await Run(["filter", "ls", .. endpoint, .. certificate, "--etcd-user", "root", "--etcd-password-file", password]);
        printed.Add(problem);
        Assert.Equal(1, code);
        Assert.StartsWith($"pd: No etcd member answered /v3/", problem);
        Assert.Contains($"{etcd.Endpoints[0]}: SSL/TLS handshake failed: The remote certificate is invalid because of errors in the certificate chain", problem);

        // Without a client certificate, etcd (--client-cert-auth) closes the handshake.
        (code, _, problem) = await Run(["filter", "ls", .. endpoint, "--etcd-ca", tls.Ca, "--etcd-user", "root", "--etcd-password-file", password]);
        printed.Add(problem);
        Assert.Equal(1, code);
        Assert.Contains($"{etcd.Endpoints[0]}: ", problem);

        Assert.All(printed, text => Assert.DoesNotContain("s3cret-pw", text));
        Assert.All(printed, text => Assert.DoesNotContain("guessed-pw", text));
        Assert.All(printed, text => Assert.DoesNotContain("   at ", text));
    }

    [Fact]
    public async Task With_no_etcd_member_answering_every_command_exits_1_naming_each_endpoint_and_why_on_one_line()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var refused = $"http://127.0.0.1:{EtcdServer.FreePort()}";
        var unanswered = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        foreach (var command in Commands)
        {
            var (exit, output, error) = await Run([.. command, "--etcd", refused]);
            Assert.True(exit == 1, $"{string.Join(' ', command)}: exit {exit}: {error}");
            Assert.Equal("", output);
            Assert.Equal($"pd: No etcd member answered /v3/kv/{(command[1] == "add" ? "put" : "range")} ({refused}/: Connection refused (127.0.0.1:{new Uri(refused).Port})).", error.Trim());
        }

        // A list of filters: nothing reaches etcd, and the message says so.
        using var config = new TempConfig();
        var list = FilterListFile.Write(Path.Combine(config.Directory, "list.json"), FilterListFile.Many("f", 200));
        var (bulk, _, why) = await Run("filter", "add", list, "--etcd", refused);
        Assert.Equal(1, bulk);
        Assert.Equal("pd: the bulk write stopped: of the list's 200 filters (by index from 0), 0 are written (none), 0 may or may not be (none), " +
            "200 were not sent ([0..199]); each transaction (of up to 128) is written whole or not at all: " +
            $"No etcd member answered /v3/kv/txn ({refused}/: Connection refused (127.0.0.1:{new Uri(refused).Port})).", why.Trim());

        // A member that takes the connection and never answers costs its request timeout, then the next is named too.
        var (code, _, problem) = await Run("filter", "ls", "--etcd", $"{unanswered},{refused}");
        Assert.Equal(1, code);
        Assert.Single(problem.Trim().Split('\n'));
        Assert.Contains($"{unanswered}/: no answer within 5 s; {refused}/: Connection refused", problem);
    }

    [Fact]
    public async Task Bad_option_values_exit_2_naming_the_option_and_the_problem()
    {
        using var config = new TempConfig(extra: "\"cluster\": \"lab\",");
        string F(string name) => Path.Combine(config.Directory, name);
        await File.WriteAllTextAsync(F("junk.pem"), "not PEM");
        await File.WriteAllTextAsync(F("empty-password"), "");
        using var onEtcd = new TempConfig(extra: """ "store": "etcd", "etcd": { "endpoints": ["https://127.0.0.1:2379"], "caFile": "missing-ca.crt" }, """);
        const string url = "http://127.0.0.1:2379";
        var cases = new (string[] Args, string Message)[]
        {
            (["--etcd", "127.0.0.1:2379"], "pd: --etcd: '127.0.0.1:2379' is not a member's client URL: http:// or https://, a host and a port, nothing after"),
            (["--etcd", $"{url},{url}/v3"], $"pd: --etcd: '{url}/v3' is not a member's client URL"),
            (["--etcd", ","], "pd: --etcd: list at least one member's client URL"),
            (["--etcd", url, "--etcd-ca", F("junk.pem")], $"pd: --etcd: '{url}' must be https:// since --etcd-ca or --etcd-cert is set."),
            (["--etcd", "https://127.0.0.1:2379", "--etcd-ca", "missing-ca.crt"], $"pd: --etcd-ca: '{Path.Combine(Environment.CurrentDirectory, "missing-ca.crt")}' does not exist or is not a file."),
            (["--etcd", "https://127.0.0.1:2379", "--etcd-ca", F("junk.pem")], $"pd: --etcd-ca: '{F("junk.pem")}' holds no PEM certificate."),
            (["--etcd", "https://127.0.0.1:2379", "--etcd-cert", F("junk.pem"), "--etcd-key", F("junk.pem")], "pd: --etcd-cert: cannot load the client certificate"),
            (["--etcd", "https://127.0.0.1:2379", "--etcd-cert", F("junk.pem")], "pd: --etcd-key: --etcd-cert and --etcd-key go together"),
            (["--etcd", url, "--etcd-user", "root"], "pd: --etcd-password-file: --etcd-user and --etcd-password-file go together."),
            (["--etcd", url, "--etcd-user", "root", "--etcd-password-file", F("empty-password")], $"pd: --etcd-password-file: '{F("empty-password")}' is empty; its first line is the password."),
            (["--etcd", url, "--cluster", "a/b"], "pd: --cluster: 'a/b' is not a cluster name"),
            (["--etcd-ca", F("junk.pem"), "--cluster", "lab"], "pd: --etcd-ca, --cluster: go with --etcd."),
            (["--etcd", url, "--endpoint", "http://127.0.0.1:9470"], "pd: --etcd: reaches etcd itself, --endpoint a node's admin endpoint; give one of them."),
            (["--config", config.Path, "--etcd", url], "pd: --config: names the store on its own; leave out --etcd."),
            (["--config", config.Path], $"pd: {config.Path}: store: is 'memory', a store inside the node;"),
            (["--config", onEtcd.Path], $"pd: {onEtcd.Path}: etcd.caFile: '{Path.Combine(onEtcd.Directory, "missing-ca.crt")}' does not exist or is not a file."),
            (["--config", F("missing.json")], $"pd: {F("missing.json")}: "),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var (args, message) = cases[i];
            var command = Commands[i % Commands.Length];
            var (exit, output, error) = await Run([.. command, .. args]);
            Assert.True(exit == 2, $"{string.Join(' ', [.. command, .. args])}: exit {exit}: {error}");
            Assert.StartsWith(message, error);
            Assert.Equal("", output);
            Assert.DoesNotContain("   at ", error);
        }
    }

    /// <summary>
    /// F9/F10: a record that is not pd's JSON under members/ or status/, and member and election keys held by no lease,
    /// are each left out with a warning naming the key; the rest is shown, straight from etcd and through the node.
    /// </summary>
    [EtcdFact]
    public async Task Unreadable_and_lease_less_records_are_left_out_with_a_warning_naming_each_key()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var node = await RunningNode.StartAsync(OnEtcd(etcd, "h10"));
        await using (var store = new PdCluster.Cluster.Etcd.EtcdStore(etcd.Options))
        {
            await store.PutAsync("/pd/h10/members/ghost", "{not json");
            await store.PutAsync("/pd/h10/status/ghost2", "[1,2,3]");
            await store.PutAsync("/pd/h10/members/n9", """{"node":"n9","items":["s1"]}""");
            await store.PutAsync("/pd/h10/election/aaa", "zzz");
        }
        foreach (var where in new[] { new[] { "--etcd", $"{etcd.Endpoints[0]}", "--cluster", "h10" }, ["--endpoint", node.Endpoint] })
        {
            foreach (var command in new[] { new[] { "node", "ls" }, ["cluster", "status"], ["owners"] })
            {
                var (exit, output, error) = await Run([.. command, "-o", "json", .. where]);
                Assert.True(exit == 0, error);
                foreach (var key in new[] { "members/ghost", "status/ghost2", "members/n9", "election/aaa" })
                    Assert.Contains($"/pd/h10/{key}", error);
                Assert.DoesNotContain("n9", output);
            }
        }
    }
}
