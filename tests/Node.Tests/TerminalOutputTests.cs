using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Node.Admin;
using PdCluster.Node.ClusterAccess;
using PdCluster.Node.Commands;
using PdCluster.Node.Hosting;
using PdCluster.Tests.Cluster.Etcd;
using static PdCluster.Tests.Node.ClusterCommandTests;

namespace PdCluster.Tests.Node;

/// <summary>
/// What <c>pd</c> prints from files and from the store: no control character reaches the terminal raw, a long value
/// is cut, a key under <c>filters/</c> that is no filter id can be shown and deleted, a table's title is one line in
/// a file, and a <c>--wait</c> with no live node in scope is told from applied.
/// </summary>
public sealed class TerminalOutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pd-terminal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Strings with what a terminal acts on: ESC sequences, NUL, DEL, C1, bidi overrides, lone surrogates.</summary>
    private static readonly Gen<string> Hostile =
        Gen.OneOf(ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
            Gen.ListOf(Gen.Elements("\u001b[2J", "\u001b]0;title\u0007", "\0", "\u007f", "\u009b", "\u202e", "\u2066", "\u200f", "\ud800", "\udc00", "\u2028", "\u2029", "\r", "\n", "a", "é", "[red]", "😀"))
                .Select(parts => string.Concat(parts)));

    /// <summary>Fails naming the first character a terminal would act on: a control (a line break only at the end of a line), a format character, a lone surrogate.</summary>
    internal static void AssertPrintable(string text, string what)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            var acts = (char.IsControl(c) && c != '\n') || char.IsSurrogate(c)
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            Assert.False(acts, $"{what} holds U+{(int)c:X4} at {i}: {text}");
        }
    }

    [Fact]
    public async Task The_nodes_error_log_writes_each_error_as_one_printable_line()
    {
        var system = ActorSystem.Create("error-log");
        try
        {
            var output = new StringWriter();
            var recent = new RecentErrors();
            ErrorLog.Start(system, TextWriter.Synchronized(output), recent);
            var hostile = "filter 'x\u001b[2J\ny\u202e' refused";
            system.EventStream.Publish(new ActorError(Nobody.Instance, hostile, new InvalidDataException(hostile)));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (recent.Lines.Count == 0 && DateTime.UtcNow < deadline)
                await Task.Delay(10);
            var text = output.ToString();
            Assert.Equal(1, text.Count(c => c == '\n'));
            AssertPrintable(text.TrimEnd('\n'), "the error log's line");
            Assert.Contains("\\u001b[2J", text, StringComparison.Ordinal);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void Escaped_text_and_messages_hold_no_character_a_terminal_acts_on_and_printable_text_is_kept()
    {
        Prop.ForAll(Hostile.ToArbitrary(), text =>
        {
            var escaped = TerminalText.Escape(text);
            AssertPrintable(escaped.Replace("\n", ""), "Escape");
            Assert.DoesNotContain('\n', escaped);
            AssertPrintable(TerminalText.Message($"pd: '{text}' is wrong"), "Message");
            AssertPrintable(TerminalText.Cell(text), "Cell");
            // Text with nothing to escape is printed as it is.
            var lone = text.Select((c, i) => char.IsHighSurrogate(c) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])
                : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]))).Any(b => b);
            var clean = !lone && !text.Any(c => char.IsControl(c)
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
            Assert.Equal(clean, escaped == text);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
        Assert.Equal("ok\\u001b[31mRED a\\u0000b \\u202e x\\ud800 😀 é\\u2028", TerminalText.Escape("ok\u001b[31mRED a\0b \u202e x\ud800 😀 é\u2028"));
    }

    [Fact]
    public async Task Bad_files_and_options_are_refused_in_words_with_control_characters_escaped_and_long_values_cut()
    {
        string Doc(string filter, string schema = "1") => $$$"""{"schemaVersion":{{{schema}}},"filter":{{{{filter}}}}}""";
        var cases = new (string Json, string Expected)[]
        {
            (Doc("\"id\":\"ok\\u001b[31mRED\",\"action\":\"drop\""), "'ok\\u001b[31mRED' is not a cluster filter id"),
            (Doc("\"id\":\"a\\u0000b\",\"action\":\"drop\""), "'a\\u0000b' is not a cluster filter id"),
            (Doc("\"id\":\"ok\\ud800\",\"action\":\"drop\""), "filter.id: is not valid Unicode text: it holds half of a surrogate pair"),
            (Doc($"\"id\":\"big\",\"action\":\"drop\",\"match\":{{\"destinationPort\":\"{new string('8', 2_000_000)}\"}}"), "'" + new string('8', 200) + "…' (2,000,000 characters)"),
            (Doc("\"id\":\"v0\",\"action\":\"drop\"", schema: "0"), "schemaVersion: must be 1 (got 0)."),
            ($"[{Doc("\"id\":\"a\",\"action\":\"drop\"")}, 5]", "[1]: is a number;"),
            (Doc("\"id\":\"m\",\"action\":\"drop\",\"match\":{\"protocol\":\"icmpv6\",\"destinationIp\":\"198.18.0.1\"}"),
                "match.protocol (filter 'm'): icmpv6 (IPv6's ICMP) with match.destinationIp an IPv4 address can never match"),
            (Doc("\"id\":\"m\",\"action\":\"drop\",\"match\":{\"protocol\":\"icmp\",\"sourceIp\":\"2001:db8::/32\"}"),
                "match.protocol (filter 'm'): icmp (IPv4's ICMP) with match.sourceIp an IPv6 address can never match"),
            (Doc("\"id\":\"m\",\"action\":\"drop\",\"match\":{\"destinationIp\":\"::ffff:198.18.0.1\"}"),
                "match.destinationIp (filter 'm'): '::ffff:198.18.0.1' is an IPv4-mapped IPv6 address, which no IPv6 packet carries; write the IPv4 address (198.18.0.1)"),
        };
        foreach (var (json, expected) in cases)
        {
            var file = Path.Combine(_directory, "filter.json");
            await File.WriteAllTextAsync(file, json);
            var (exit, output, error) = await Run("filter", "add", file, "--endpoint", "http://127.0.0.1:1");
            Assert.True(exit == 2, $"exit {exit}: {error}");
            Assert.Equal("", output);
            AssertPrintable(error, "stderr");
            Assert.True(error.Contains(expected, StringComparison.Ordinal), $"expected '{expected[..Math.Min(expected.Length, 300)]}' in: {error[..Math.Min(error.Length, 2000)]}");
            Assert.True(error.Length < 2_000, $"{error.Length} characters on stderr");
            Assert.DoesNotContain("PdCluster.", error);
        }
        var (code, _, problem) = await Run("filter", "add", "--id", "m", "--action", "drop", "--match", "protocol=icmpv6,destinationIp=198.18.0.1", "--endpoint", "http://127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.Contains("can never match", problem);
    }

    /// <summary>
    /// F2 on the in-memory store, through the admin routes a node serves (in process, on loopback) and <c>pd</c>
    /// itself: keys under <c>filters/</c> that are no filter id are listed, shown with their refusal and deleted one by one.
    /// </summary>
    [Fact]
    public async Task Keys_that_are_no_filter_id_are_shown_and_deleted_through_the_admin_endpoint_on_the_in_memory_store()
    {
        await using var store = new InMemoryStore();
        const string document = """{"schemaVersion":1,"filter":{"id":"nested","action":"drop"}}""";
        foreach (var key in new[] { "sub/nested", "sub/nestedx", "", "é", "esc\u001b[2J" })
            await store.PutAsync($"/pd/lab/filters/{key}", document);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        ClusterRoutes.Map(app, new StoreCatalog(store, "lab"));
        await app.StartAsync();
        var endpoint = app.Urls.Single();
        var catalog = new AdminCatalog(new Uri(endpoint));

        Assert.Equal(["", "esc\u001b[2J", "sub/nested", "sub/nestedx", "é"], (await catalog.FiltersAsync(default)).Select(f => f.Id).Order(StringComparer.Ordinal));
        foreach (var id in new[] { "sub/nested", "", "é", "esc\u001b[2J" })
        {
            var shown = await catalog.FilterAsync(id, default);
            Assert.NotNull(shown);
            Assert.Equal((id, document), (shown.Id, shown.Document));
            Assert.NotNull(shown.Error);
            Assert.Null(shown.Parsed);
        }
        // A document another client wrote with a comment and a trailing comma reads (the filter reader takes both):
        // listed as JSON with the comment left out.
        await store.PutAsync("/pd/lab/filters/commented", "{ // written by hand\n\"schemaVersion\":1,\"filter\":{\"id\":\"commented\",\"action\":\"count\",},}");
        var commented = (await catalog.FilterAsync("commented", default))!;
        Assert.Null(commented.Error);
        Assert.Equal("""{"schemaVersion":1,"filter":{"id":"commented","action":"count"}}""", JsonSerializer.Serialize(commented.Parsed));
        var (listed, listing, listError) = await Run("filter", "ls", "-o", "json", "--endpoint", endpoint);
        Assert.True(listed == 0, listError);
        using (var list = JsonDocument.Parse(listing))
            Assert.Equal("count", list.RootElement.EnumerateArray().Single(f => f.GetProperty("id").GetString() == "commented").GetProperty("parsed").GetProperty("filter").GetProperty("action").GetString());
        await store.DeleteAsync("/pd/lab/filters/commented");

        var (exit, output, error) = await Run("filter", "show", "esc\u001b[2J", "--endpoint", endpoint);
        Assert.True(exit == 0, error);
        AssertPrintable(output, "show");
        Assert.Contains("esc\\u001b[2J", output);
        Assert.Contains("differs from the id its key names", output);

        (exit, output, error) = await Run("filter", "rm", "sub/nested", "--endpoint", endpoint);
        Assert.True(exit == 0, error);
        Assert.Matches("^filter sub/nested deleted at revision [0-9]+$", output.Trim());
        (exit, output, error) = await Run("filter", "rm", "", "--endpoint", endpoint);
        Assert.True(exit == 0, error);
        Assert.Equal(["/pd/lab/filters/esc\u001b[2J", "/pd/lab/filters/sub/nestedx", "/pd/lab/filters/é"], (await store.RangeAsync("/pd/lab/filters/")).Items.Select(i => i.Key).Order(StringComparer.Ordinal));
        (exit, _, error) = await Run("filter", "show", "sub/nested", "--endpoint", endpoint);
        Assert.Equal((2, "pd: no cluster filter 'sub/nested'."), (exit, error.Trim()));
    }

    /// <summary>
    /// F2 and F3 on a real etcd beside a real node: documents and keys made of random strings (control characters,
    /// bidi overrides, lone surrogates among them) are refused by the node, and neither <c>filter ls</c>,
    /// <c>cluster status</c> nor <c>filter show</c> prints a character a terminal acts on; keys that are no id are
    /// shown and deleted exactly, straight from etcd and through the node.
    /// </summary>
    [EtcdFact]
    public async Task Hostile_keys_and_documents_from_etcd_are_listed_shown_and_deleted_with_nothing_raw_on_the_terminal()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var node = await RunningNode.StartAsync($$""" "cluster": "h10", "store": "etcd", "etcd": { "endpoints": ["{{etcd.Endpoints[0]}}"] }, """);
        var strings = Hostile.Sample(30, 25).Where(s => !s.Contains('\0')).Distinct().ToList();
        await using (var store = new PdCluster.Cluster.Etcd.EtcdStore(etcd.Options))
        {
            for (var i = 0; i < strings.Count; i++)
            {
                var value = JsonSerializer.Serialize(strings[i]);
                await store.PutAsync($"/pd/h10/filters/h{i}", "{\"schemaVersion\":1,\"filter\":{\"id\":\"h" + i + "\",\"action\":\"drop\",\"match\":{\"protocol\":" + value + "}}}");
                await store.PutAsync($"/pd/h10/filters/k{i}{strings[i]}", $$$"""{"schemaVersion":1,"filter":{"id":{{{value}}},"action":"drop"}}""");
            }
            foreach (var key in new[] { "sub/nested", "sub/nestedx", "", "é" })
                await store.PutAsync($"/pd/h10/filters/{key}", """{"schemaVersion":1,"filter":{"id":"nested","action":"drop"}}""");
        }
        var direct = new[] { "--etcd", $"{etcd.Endpoints[0]}", "--cluster", "h10" };
        foreach (var command in new[] { new[] { "filter", "ls" }, ["cluster", "status"], ["filter", "show", "h0"], ["filter", "show", $"k0{strings[0]}"] })
        {
            var (exit, output, error) = await Run([.. command, .. direct]);
            Assert.True(exit == 0, $"{string.Join(' ', command)}: {error}");
            AssertPrintable(output, string.Join(' ', command));
            AssertPrintable(error, string.Join(' ', command));
        }
        foreach (var where in new[] { direct, ["--endpoint", node.Endpoint] })
        {
            foreach (var id in new[] { "sub/nested", "", "é" })
            {
                var (exit, output, error) = await Run(["filter", "show", id, .. where]);
                Assert.True(exit == 0, $"show '{id}': {error}");
                Assert.Contains("""{"schemaVersion":1,"filter":{"id":"nested","action":"drop"}}""", output);
                Assert.Contains("differs from the id its key names", output);
            }
        }
        var (code, said, problem) = await Run(["filter", "rm", "sub/nested", .. direct]);
        Assert.True(code == 0, problem);
        (code, said, problem) = await Run("filter", "rm", "é", "--endpoint", node.Endpoint);
        Assert.True(code == 0, problem);
        (code, said, problem) = await Run(["filter", "ls", "-o", "json", .. direct]);
        Assert.True(code == 0, problem);
        using var listed = JsonDocument.Parse(said);
        var ids = listed.RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
        Assert.DoesNotContain("sub/nested", ids);
        Assert.DoesNotContain("é", ids);
        Assert.Contains("sub/nestedx", ids);
        Assert.Contains("", ids);
    }

    /// <summary>
    /// L1 and F13 on a running node: <c>cluster status</c> written to a pipe keeps its title (here long, naming unowned
    /// items) on one line; a scope naming many unknown nodes warns in one short line; <c>--wait</c> for a filter with
    /// no live node in scope exits 1 saying so.
    /// </summary>
    [Fact]
    public async Task A_piped_title_is_one_line_a_long_scope_warning_is_cut_and_a_wait_with_nobody_in_scope_fails()
    {
        var items = string.Join(", ", Enumerable.Range(1, 6).Select(i => $$"""{ "id": "shard-with-a-rather-long-name-{{i}}", "kind": "shard" }"""));
        await using var node = await RunningNode.StartAsync($$""" "cluster": "lab", "items": [ {{items}} ], """);
        var endpoint = new[] { "--endpoint", node.Endpoint };
        using (var http = new HttpClient())
            (await http.PostAsync($"{node.Endpoint}/adapters/pd0/events/surprise-removal", null)).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (_, json, _) = await Run(["cluster", "status", "-o", "json", .. endpoint]);
            using var report = JsonDocument.Parse(json);
            if (report.RootElement.GetProperty("unowned").GetArrayLength() == 6)
                break;
            Assert.True(DateTime.UtcNow < deadline, $"the items never showed unowned: {json}");
            await Task.Delay(200);
        }
        var (exit, output, error) = await Run(["cluster", "status", .. endpoint]);
        Assert.True(exit == 0, error);
        var lines = output.Split('\n');
        Assert.Matches("^[0-9]+ filters, newest change at revision [0-9]+; coordinator test-node; unowned: "
            + string.Join(", ", Enumerable.Range(1, 6).Select(i => $"shard-with-a-rather-long-name-{i}")) + "$", lines[0]);
        Assert.DoesNotMatch("[a-z]", lines[1]);

        string[] scope = [.. Enumerable.Range(1, 30).SelectMany(i => new[] { "--scope", $"node:gone-{i}" })];
        (exit, output, error) = await Run(["filter", "add", "--id", "w3", "--action", "drop", "--match-all", .. scope, "--wait", "--timeout", "5", .. endpoint]);
        Assert.Equal(1, exit);
        Assert.Matches("^filter w3 written at revision [0-9]+$", output.Trim());
        var errors = error.Trim().Split('\n');
        Assert.Equal(2, errors.Length);
        Assert.StartsWith("pd: warning: the scope names nodes gone-1, gone-2, gone-3, gone-4, gone-5, gone-6, gone-7, gone-8, gone-9, gone-10, … and 20 more, not a member", errors[0]);
        Assert.Matches("^pd: filter w3 \\(revision [0-9]+\\): no live node in scope, so none applied it; ", errors[1]);
    }
}
