using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace PdCluster.Tests.Node;

/// <summary><c>pd filter add | rm | ls | show</c>, <c>pd node ls</c> and <c>pd cluster status</c> as processes, against a running <c>pd node run</c>.</summary>
public sealed class ClusterCommandTests
{
    internal static readonly string Pd = Path.Combine(AppContext.BaseDirectory, "pd.dll");

    internal static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Pd);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A running node with one adapter labelled <c>edge</c>, in cluster <c>lab</c> unless <c>extra</c> keys say otherwise; stopped with SIGTERM when disposed.</summary>
    internal sealed class RunningNode : IAsyncDisposable
    {
        private readonly Process _process;

        private RunningNode(TempConfig config, Process process)
        {
            Config = config;
            _process = process;
        }

        public TempConfig Config { get; }

        public string Endpoint => $"http://127.0.0.1:{Config.Port}";

        public static async Task<RunningNode> StartAsync(string extra = "\"cluster\": \"lab\",", string? adapters = null)
        {
            var config = new TempConfig(adapters ?? TempConfig.Adapter("pd0", "\"labels\": [\"edge\"],"), extra);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Pd, "node", "run", "--config", config.Path, "-o", "json" })
                info.ArgumentList.Add(a);
            var node = new RunningNode(config, Process.Start(info)!);
            node._process.OutputDataReceived += (_, _) => { };
            node._process.ErrorDataReceived += (_, _) => { };
            node._process.BeginOutputReadLine();
            node._process.BeginErrorReadLine();
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var members = JsonDocument.Parse(await http.GetStringAsync($"{node.Endpoint}/cluster"));
                    if (members.RootElement.GetProperty("statuses").GetArrayLength() == 1)
                        return node;
                }
                catch (HttpRequestException)
                {
                }
                Assert.True(DateTime.UtcNow < deadline && !node._process.HasExited, "the node did not come up");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
                await kill.WaitForExitAsync();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(0, _process.ExitCode);
            }
            finally
            {
                if (!_process.HasExited)
                    _process.Kill(entireProcessTree: true);
                _process.Dispose();
                Config.Dispose();
            }
        }
    }

    /// <summary>Filter <paramref name="id"/>'s hits in a /metrics scrape, summed over adapters and queues.</summary>
    private static long Hits(string metrics, string id) =>
        metrics.Split('\n').Where(l => l.StartsWith("pd_filter_hits_total{", StringComparison.Ordinal) && l.Contains($"filter=\"{id}\"", StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.IndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Add_ls_show_wait_node_ls_cluster_status_and_rm_against_a_running_node()
    {
        await using var node = await RunningNode.StartAsync();
        var endpoint = new[] { "--endpoint", node.Endpoint };
        await AddListShowAndReportAsync(node, endpoint);

        var (exit, output, error) = await Run(["filter", "rm", "web", .. endpoint]);
        Assert.True(exit == 0, error);
        Assert.Matches("^filter web deleted at revision [0-9]+$", output.Trim());
        (exit, _, error) = await Run(["filter", "show", "web", .. endpoint]);
        Assert.Equal(2, exit);
        Assert.Equal("pd: no cluster filter 'web'.", error.Trim());
    }

    [Fact]
    public async Task A_filter_publish_keeps_the_hit_counts_of_the_node_s_own_filters()
    {
        await using var node = await RunningNode.StartAsync();
        using var metrics = new HttpClient();
        var steerWeb = 0L;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((steerWeb = Hits(await metrics.GetStringAsync($"{node.Endpoint}/metrics"), "steer-web")) < 20_000)
        {
            Assert.True(DateTime.UtcNow < deadline, $"steer-web counted only {steerWeb} hits");
            await Task.Delay(100);
        }

        var (exit, _, error) = await Run("filter", "add", "--id", "dns", "--match", "protocol=udp,destinationPort=53", "--action", "count", "--wait", "--endpoint", node.Endpoint);
        Assert.True(exit == 0, error);

        var scraped = await metrics.GetStringAsync($"{node.Endpoint}/metrics");
        Assert.Contains("filter=\"dns\"", scraped);
        Assert.True(Hits(scraped, "steer-web") >= steerWeb, $"steer-web had {steerWeb} hits before the publish and {Hits(scraped, "steer-web")} after");
    }

    [Fact]
    public async Task Rm_wait_returns_once_the_node_applied_the_delete()
    {
        await using var node = await RunningNode.StartAsync();
        var endpoint = new[] { "--endpoint", node.Endpoint };
        using var metrics = new HttpClient();
        var (exit, _, error) = await Run(["filter", "add", "--id", "web", "--match", "protocol=tcp,destinationPort=80", "--action", "count", "--wait", .. endpoint]);
        Assert.True(exit == 0, error);
        Assert.Contains("filter=\"web\"", await metrics.GetStringAsync($"{node.Endpoint}/metrics"));

        (exit, var output, error) = await Run(["filter", "rm", "web", "--wait", "--timeout", "60", .. endpoint]);

        Assert.True(exit == 0, error);
        Assert.Matches("^filter web deleted at revision [0-9]+; applied on test-node$", output.Trim());
        // Applied: the queues no longer run it.
        Assert.DoesNotContain("filter=\"web\"", await metrics.GetStringAsync($"{node.Endpoint}/metrics"));
    }

    [Fact]
    public async Task A_scope_naming_a_node_that_is_not_a_member_is_written_with_a_warning_naming_it_and_the_members()
    {
        await using var node = await RunningNode.StartAsync();
        var endpoint = new[] { "--endpoint", node.Endpoint };

        var (exit, output, error) = await Run(["filter", "add", "--id", "lost", "--action", "count", "--scope", "node:test-nod", "--scope", "node:test-node", "--wait", .. endpoint]);

        Assert.True(exit == 0, error);
        Assert.Matches("^filter lost written at revision [0-9]+; applied on test-node$", output.Trim());
        Assert.Equal("pd: warning: the scope names node test-nod, not a member of the cluster now (members: test-node); the filter is written and applies to a node of that name when it joins.", error.Trim());
        (exit, _, _) = await Run(["filter", "show", "lost", .. endpoint]);
        Assert.Equal(0, exit);
        (exit, _, error) = await Run(["filter", "add", "--id", "lost", "--action", "count", "--scope", "node:test-node", .. endpoint]);
        Assert.True(exit == 0, error);
        Assert.Empty(error);
    }

    [Fact]
    public async Task A_file_holding_a_list_goes_through_the_node_in_bulk_and_a_bad_one_writes_nothing()
    {
        await using var node = await RunningNode.StartAsync();
        var endpoint = new[] { "--endpoint", node.Endpoint };
        var many = FilterListFile.Write(Path.Combine(node.Config.Directory, "many.json"), FilterListFile.Many("bulk", 1000));

        var (exit, output, error) = await Run(["filter", "add", many, "--wait", "--in-flight", "4", .. endpoint]);

        Assert.True(exit == 0, error);
        Assert.Matches("^1000 filters written in 8 transactions \\([1-4] in flight\\) at revisions [0-9]+ to [0-9]+; applied on test-node$", output.Trim());
        (exit, output, error) = await Run(["filter", "ls", "-o", "json", .. endpoint]);
        Assert.True(exit == 0, error);
        using (var list = JsonDocument.Parse(output))
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"bulk-{i:D4}"), list.RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        using var metrics = new HttpClient();
        Assert.Contains("filter=\"bulk-0999\"", await metrics.GetStringAsync($"{node.Endpoint}/metrics"));

        // Refused before anything is sent: the file, the index, the id and the problem.
        var late = FilterListFile.Many("late", 20).ToList();
        late[19] = FilterListFile.Document("late-0019", -1);
        var bad = FilterListFile.Write(Path.Combine(node.Config.Directory, "bad.json"), late);
        (exit, output, error) = await Run(["filter", "add", bad, .. endpoint]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"pd: {bad} [19]: filter.match.destinationPort (filter 'late-0019'): ", error);
        Assert.Equal("", output);

        // The admin endpoint checks a list it is sent the same way, and writes none of it.
        using var http = new HttpClient();
        using var refused = await http.PostAsync($"{node.Endpoint}/cluster/filters", new StringContent($"[{string.Join(",", late)}]"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using (var answer = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
            Assert.StartsWith("the request [19]: filter.match.destinationPort (filter 'late-0019'): ", answer.RootElement.GetProperty("error").GetString());
        (exit, output, _) = await Run(["filter", "ls", "-o", "json", .. endpoint]);
        using (var list = JsonDocument.Parse(output))
            Assert.Equal(1000, list.RootElement.GetArrayLength());

        // No node: exit 1, naming the endpoint.
        var gone = $"http://127.0.0.1:{PdCluster.Tests.Cluster.Etcd.EtcdServer.FreePort()}";
        (exit, _, error) = await Run("filter", "add", many, "--endpoint", gone);
        Assert.Equal(1, exit);
        Assert.StartsWith($"pd: no node answers at {gone}/", error);
    }

    [Fact]
    public async Task Bad_input_exits_2_naming_the_key_and_the_problem_and_writes_nothing()
    {
        await using var node = await RunningNode.StartAsync();
        var endpoint = new[] { "--endpoint", node.Endpoint };
        var badJson = Path.Combine(node.Config.Directory, "bad.json");
        await File.WriteAllTextAsync(badJson, """{ "schemaVersion": 1, "filter": { "id": "x" """);
        var future = Path.Combine(node.Config.Directory, "future.json");
        await File.WriteAllTextAsync(future, """{ "schemaVersion": 9, "filter": { "id": "x" }, "selector": "new" }""");

        var cases = new (string[] Args, string Message)[]
        {
            (["filter", "add", "--id", "x", "--match", "destinationPort=99999", "--action", "count"], "pd: the command line: filter.match.destinationPort (filter 'x'): 99999 does not fit in 16 bits (0 to 65535)."),
            (["filter", "add", "--id", "x", "--match", "nonsense", "--action", "count"], "pd: --match: 'nonsense' is not field=value (e.g. destinationPort=80)."),
            (["filter", "add", "--id", "x", "--action", "reject"], "pd: the command line: filter.action: "),
            (["filter", "add", "--id", "a/b", "--action", "count"], "pd: the command line: filter.id: 'a/b' is not a cluster filter id"),
            (["filter", "add", "--id", "x", "--action", "steer"], "pd: the command line: filter.queue (filter 'x'): action steer needs a \"queue\" to steer to."),
            (["filter", "add", "--id", "x", "--action", "count", "--scope", "zone:a"], "pd: --scope: 'zone:a' is not node:NAME or label:LABEL."),
            (["filter", "add", "--id", "x", "--action", "drop"], "pd: --match: none given, so this drop filter would take every packet (ARP too) on every node in scope; give --match-all if that is meant."),
            (["filter", "add", "--id", "x", "--action", "steer", "--queue", "1"], "pd: --match: none given, so this steer filter would take every packet"),
            (["filter", "add", "--id", "x", "--action", "drop", "--match", "protocol=udp", "--match-all"], "pd: --match-all: the filter has conditions (--match); give one or the other."),
            (["filter", "add", "--id", "x", "--action", "count", "--wait", "--timeout", "-1"], "pd: --timeout: '-1' is not a number of seconds"),
            (["filter", "add", badJson], $"pd: {badJson}: line 1, column "),
            (["filter", "add", future], $"pd: {future}: schemaVersion: 9 is newer than this pd reads (1); upgrade pd on this node to read it."),
            (["filter", "add", Path.Combine(node.Config.Directory, "missing.json")], "pd: "),
            (["filter", "add"], "pd: give a FILE, or --id and --action"),
            (["filter", "add", future, "--id", "x"], "pd: give a FILE or --id/--match/--match-all/--action/--queue/--priority/--scope, not both."),
            (["filter", "rm", "nope"], "pd: no cluster filter 'nope'."),
            (["filter", "rm", "nope", "--wait"], "pd: no cluster filter 'nope'."),
            (["filter", "rm", "nope", "--wait", "--timeout", "0"], "pd: --timeout: '0' is not a number of seconds"),
            (["filter", "rm", "nope", "--wait", "--timeout", "1e-300"], "pd: --timeout: '1e-300' is not a number of seconds from 0.001 to 86400 (a day)."),
            (["filter", "add", "--id", "x", "--action", "count", "--timeout", "5"], "pd: --timeout: it sets how long --wait waits; give --wait too."),
            (["filter", "rm", "nope", "--timeout", "5"], "pd: --timeout: it sets how long --wait waits; give --wait too."),
            (["filter", "show", "nope"], "pd: no cluster filter 'nope'."),
        };
        foreach (var (args, message) in cases)
        {
            var (exit, _, error) = await Run([.. args, .. endpoint]);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}: {error}");
            Assert.StartsWith(message, error);
            Assert.DoesNotContain("   at ", error);
        }

        // The endpoint refuses a bad document too, and a request from a web page.
        using var http = new HttpClient();
        using var put = await http.PutAsync($"{node.Endpoint}/cluster/filters/x", new StringContent("""{"schemaVersion":1,"filter":{"id":"x","priority":-3}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        using (var body = JsonDocument.Parse(await put.Content.ReadAsStringAsync()))
            Assert.Equal("filters/x: filter.priority (filter 'x'): must be 0 or more (got -3); lower applies first.", body.RootElement.GetProperty("error").GetString());
        using var page = new HttpRequestMessage(HttpMethod.Delete, $"{node.Endpoint}/cluster/filters/x") { Headers = { { "Origin", "http://example.test" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(page)).StatusCode);

        var (listed, output, _) = await Run(["filter", "ls", "-o", "json", .. endpoint]);
        Assert.Equal(0, listed);
        Assert.Equal("[]", output.Trim());

        var (unreachable, _, refused) = await Run("filter", "ls", "--endpoint", "http://127.0.0.1:1");
        Assert.Equal(1, unreachable);
        Assert.StartsWith("pd: no node answers at http://127.0.0.1:1/", refused);
    }

    /// <summary>
    /// What the commands do beside a running node, whichever way <paramref name="store"/> reaches the store: add
    /// (options and a file) with <c>--wait</c>, taken into the data path; ls, show, node ls and cluster status; a filter
    /// the node refuses, which <c>--wait</c> and cluster status name. Leaves the filters web, edge-dns and q9.
    /// </summary>
    internal static async Task AddListShowAndReportAsync(RunningNode node, string[] store)
    {
        var (exit, output, error) = await Run(["filter", "add", "--id", "web", "--match", "protocol=tcp,destinationPort=80", "--action", "count", "--queue", "1",
            "--priority", "5", "--wait", "-o", "json", .. store]);
        Assert.True(exit == 0, error);
        long web;
        using (var added = JsonDocument.Parse(output))
        {
            web = added.RootElement.GetProperty("revision").GetInt64();
            Assert.Equal(["test-node"], added.RootElement.GetProperty("appliedOn").EnumerateArray().Select(e => e.GetString()));
        }
        // In force on the data path: the queues count hits for it.
        using (var http = new HttpClient())
            Assert.Contains("filter=\"web\"", await http.GetStringAsync($"{node.Endpoint}/metrics"));

        var file = Path.Combine(node.Config.Directory, "edge.json");
        await File.WriteAllTextAsync(file, """{ "schemaVersion": 1, "filter": { "id": "edge-dns", "action": "drop", "match": { "protocol": "udp", "destinationPort": "53" } }, "scope": { "adapterLabels": ["edge"] } }""");
        (exit, output, error) = await Run(["filter", "add", file, "--wait", .. store]);
        Assert.True(exit == 0, error);
        Assert.Matches("^filter edge-dns written at revision [0-9]+; applied on test-node$", output.Trim());

        // The node's one adapter has the label edge, not core: a filter for core is applied there, in force on no
        // adapter, and --wait says so.
        (exit, output, error) = await Run(["filter", "add", "--id", "core-dns", "--match", "protocol=udp,destinationPort=53", "--action", "drop", "--scope", "label:core",
            "--wait", .. store]);
        Assert.True(exit == 0, error);
        Assert.Matches("^filter core-dns written at revision [0-9]+; applied on test-node, but no adapter there has label core$", output.Trim());
        using (var http = new HttpClient())
            Assert.DoesNotContain("filter=\"core-dns\"", await http.GetStringAsync($"{node.Endpoint}/metrics"));
        (exit, output, error) = await Run(["filter", "add", "--id", "spare-ntp", "--match", "protocol=udp,destinationPort=123", "--action", "drop", "--scope", "label:core",
            "--scope", "label:spare", "--wait", "-o", "json", .. store]);
        Assert.True(exit == 0, error);
        using (var added = JsonDocument.Parse(output))
            Assert.Equal(["test-node"], added.RootElement.GetProperty("unmatchedOn").EnumerateArray().Select(e => e.GetString()));
        (exit, _, error) = await Run(["filter", "rm", "spare-ntp", "--wait", .. store]);
        Assert.True(exit == 0, error);

        (exit, output, _) = await Run(["filter", "ls", "-o", "json", .. store]);
        Assert.Equal(0, exit);
        using (var list = JsonDocument.Parse(output))
            Assert.Equal(["core-dns", "edge-dns", "web"], list.RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        (exit, output, _) = await Run(["filter", "ls", .. store]);
        Assert.Equal(0, exit);
        Assert.Contains("label:edge", output);

        (exit, output, _) = await Run(["filter", "show", "web", "-o", "json", .. store]);
        Assert.Equal(0, exit);
        using (var shown = JsonDocument.Parse(output))
        {
            Assert.Equal(web, shown.RootElement.GetProperty("revision").GetInt64());
            using var document = JsonDocument.Parse(shown.RootElement.GetProperty("document").GetString()!);
            Assert.Equal("80", document.RootElement.GetProperty("filter").GetProperty("match").GetProperty("destinationPort").GetString());
            // The same document as JSON beside the stored text, for jq.
            Assert.Equal(document.RootElement.GetRawText(), shown.RootElement.GetProperty("parsed").GetRawText());
        }

        (exit, output, _) = await Run(["node", "ls", "-o", "json", .. store]);
        Assert.Equal(0, exit);
        using (var nodes = JsonDocument.Parse(output))
        {
            var only = Assert.Single(nodes.RootElement.EnumerateArray());
            Assert.Equal("test-node", only.GetProperty("node").GetString());
            Assert.True(only.GetProperty("live").GetBoolean());
            Assert.True(only.GetProperty("appliedRevision").GetInt64() > web);
            Assert.Equal("Running", only.GetProperty("adapters").GetProperty("pd0").GetString());
        }

        // A filter for a queue the adapter lacks: written, refused by the node, and --wait says so.
        (exit, output, error) = await Run(["filter", "add", "--id", "q9", "--action", "count", "--queue", "9", "--wait", .. store]);
        Assert.Equal(1, exit);
        Assert.Matches("^filter q9 written at revision [0-9]+$", output.Trim());
        Assert.Matches("^pd: filter q9 \\(revision [0-9]+\\) was refused: test-node/pd0: filter 'q9': queue 9 does not exist on pd0 \\(queues 0..1\\).$", error.Trim());
        (exit, output, error) = await Run(["filter", "add", "--id", "q8", "--action", "count", "--queue", "8", "--wait", "-o", "json", .. store]);
        Assert.Equal(1, exit);
        using (var added = JsonDocument.Parse(output))
        {
            Assert.Empty(added.RootElement.GetProperty("appliedOn").EnumerateArray());
            var refusal = Assert.Single(added.RootElement.GetProperty("refusedOn").EnumerateArray());
            Assert.Equal(("test-node", "pd0"), (refusal.GetProperty("node").GetString(), refusal.GetProperty("adapter").GetString()));
        }
        Assert.Contains("test-node/pd0: filter 'q8': queue 8 does not exist on pd0 (queues 0..1).", error);
        (exit, _, error) = await Run(["filter", "rm", "q8", "--wait", .. store]);
        Assert.True(exit == 0, error);
        (exit, output, _) = await Run(["cluster", "status", "-o", "json", .. store]);
        Assert.Equal(0, exit);
        using (var status = JsonDocument.Parse(output))
        {
            Assert.Equal(4, status.RootElement.GetProperty("filters").GetInt32());
            var only = Assert.Single(status.RootElement.GetProperty("nodes").EnumerateArray());
            Assert.Equal(0, only.GetProperty("lag").GetInt64());
            var refused = Assert.Single(only.GetProperty("rejected").EnumerateArray());
            Assert.Equal("q9", refused.GetProperty("id").GetString());
            var unmatched = Assert.Single(only.GetProperty("unmatched").EnumerateArray());
            Assert.Equal(("core-dns", "core"), (unmatched.GetProperty("id").GetString(), unmatched.GetProperty("labels").EnumerateArray().Single().GetString()));
            Assert.Equal(1, only.GetProperty("unmatchedCount").GetInt32());
        }
        (exit, output, _) = await Run(["cluster", "status", .. store]);
        Assert.Equal(0, exit);
        Assert.Contains("q9 on pd0", output);
        Assert.Contains("core-dns: applied, but no adapter here has label core", output);
        (exit, _, error) = await Run(["filter", "rm", "core-dns", "--wait", .. store]);
        Assert.True(exit == 0, error);
    }
}
