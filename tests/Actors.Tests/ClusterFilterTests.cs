using FsCheck;
using FsCheck.Fluent;
using PdCluster.Tests.Fuzzing;
using PdCluster.Actors.Framework;
using PdCluster.Queues.Classification;

namespace PdCluster.Tests.Actors;

/// <summary>The cluster filter document: what it reads, what it refuses and how it says so, and a mutation fuzzer.</summary>
public sealed class ClusterFilterTests
{
    private const string Valid = """
        { "schemaVersion": 1,
          "filter": { "id": "web", "priority": 5, "action": "steer", "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80-90", "tcpFlags": "syn|ack" } },
          "scope": { "nodes": ["n1", "n2"], "adapterLabels": ["edge"] } }
        """;

    [Fact]
    public void A_document_reads_and_writes_back_the_same()
    {
        var filter = ClusterFilter.Read(Valid, "test");
        Assert.Equal("web", filter.Id);
        Assert.Equal(FilterAction.Steer, filter.Filter.Action);
        Assert.True(filter.AppliesTo("n1", ["edge", "x"]));
        Assert.False(filter.AppliesTo("n1", ["core"]));
        Assert.False(filter.AppliesTo("n3", ["edge"]));
        Assert.True(filter.MayApplyTo("n2"));
        Assert.False(filter.MayApplyTo("n3"));
        var json = filter.ToJson();
        using (var written = System.Text.Json.JsonDocument.Parse(json))
            Assert.Equal(["schemaVersion", "filter", "scope"], written.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(json, ClusterFilter.Read(json, "again", "web").ToJson());
    }

    [Theory]
    [InlineData("""{"schemaVersion":3,"filter":{"id":"x"},"future":1}""", "src: schemaVersion: 3 is newer than this pd reads (1); upgrade pd on this node to read it.")]
    [InlineData("""{"schemaVersion":0,"filter":{"id":"x"}}""", "src: schemaVersion: must be 1 (got 0).")]
    [InlineData("""{"filter":{"id":"x"}}""", "src: schemaVersion: is required.")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x"},"scope":{"nodes":["a/b"]}}""", "src: scope.nodes[0]: 'a/b' is not a name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..'.")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x y"}}""", "src: filter.id: 'x y' is not a cluster filter id: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (it is the last segment of the filter's key).")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x","action":"steer"}}""", "src: filter.queue (filter 'x'): action steer needs a \"queue\" to steer to.")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x","priority":-1}}""", "src: filter.priority (filter 'x'): must be 0 or more (got -1); lower applies first.")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x","match":{"port":"1"}}}""", "src: filter.match.port (filter 'x'): is not a match field")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x","action":"reject"}}""", "src: filter.action: ")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x"},"extra":true}""", "src: extra: is not a key here")]
    [InlineData("""{"schemaVersion":1,"id":"zz","filter":{"id":"x"}}""", "src: id: is not a key here (known: schemaVersion, filter, scope).")]
    [InlineData("""{"schemaVersion":1,"filter":{"id":"x"}""", "src: line 1, column ")]
    public void A_bad_document_is_refused_naming_the_key_and_the_problem(string json, string message)
    {
        var e = Assert.Throws<FilterSpecException>(() => ClusterFilter.Read(json, "src"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_document_under_another_id_s_key_is_refused()
    {
        var e = Assert.Throws<FilterSpecException>(() => ClusterFilter.Read(Valid, "/pd/lab/filters/dns", "dns"));
        Assert.Equal("/pd/lab/filters/dns: filter.id: 'web' differs from the id its key names ('dns').", e.Message);
    }

    private static readonly string[] Tokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "2", "99999999999", "1e400", "\"schemaVersion\"", "\"filter\"", "\"scope\"", "\"id\"", "\"match\"", "\"queue\"", "\\u0000", "/*", "\uFFFF"];

    [Fact]
    public void Whatever_the_damage_the_reader_reads_the_document_or_refuses_it_with_its_own_error()
    {
        Prop.ForAll(JsonDamage.Of(Valid, Tokens), text =>
        {
            try
            {
                var filter = ClusterFilter.Read(text, "fuzz");
                Assert.Equal(filter.ToJson(), ClusterFilter.Read(filter.ToJson(), "again", filter.Id).ToJson());
            }
            catch (FilterSpecException e)
            {
                Assert.StartsWith("fuzz: ", e.Message);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    [Fact]
    public void Whatever_the_damage_to_a_list_the_batch_reader_reads_every_document_or_refuses_the_list_with_its_own_error()
    {
        var list = $"[{Valid},\n{Valid.Replace("\"web\"", "\"web-2\"", StringComparison.Ordinal)}]";
        Assert.Equal(["web", "web-2"], ClusterFilterBatch.Read(list, "fuzz").Select(f => f.Id));
        Prop.ForAll(JsonDamage.Of(list, Tokens), text =>
        {
            try
            {
                var filters = ClusterFilterBatch.Read(text, "fuzz");
                Assert.NotEmpty(filters);
                Assert.Equal(filters.Count, filters.Select(f => f.Id).Distinct().Count());
                Assert.All(filters, f => Assert.Equal(f.ToJson(), ClusterFilter.Read(f.ToJson(), "again", f.Id).ToJson()));
            }
            catch (FilterSpecException e)
            {
                Assert.StartsWith("fuzz", e.Message);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    [Fact]
    public void A_list_after_a_long_comment_or_long_whitespace_is_read_as_a_list()
    {
        var list = $"[{Valid},\n{Valid.Replace("\"web\"", "\"web-2\"", StringComparison.Ordinal)}]";
        Assert.Equal(["web", "web-2"], ClusterFilterBatch.Read($"/* {new string('x', 5_000)} */\n{list}", "long-comment").Select(f => f.Id));
        Assert.Equal(["web", "web-2"], ClusterFilterBatch.Read(new string(' ', 5_000) + list, "long-space").Select(f => f.Id));
    }

    [Fact]
    public void A_long_list_read_on_every_core_reports_its_first_refusal_in_the_files_order()
    {
        var documents = Enumerable.Range(0, 2_000).Select(i => Valid.Replace("\"web\"", $"\"web-{i}\"", StringComparison.Ordinal)).ToArray();
        documents[1_500] = documents[1_500].Replace("\"schemaVersion\": 1", "\"schemaVersion\": 0", StringComparison.Ordinal);
        documents[700] = "42";
        documents[1_200] = documents[3];
        Assert.Equal(2_000 - 3, ClusterFilterBatch.Read($"[{string.Join(",", documents.Where((_, i) => i is not (700 or 1_200 or 1_500)))}]", "long").Count);

        var refused = Assert.Throws<FilterSpecException>(() => ClusterFilterBatch.Read($"[{string.Join(",", documents)}]", "long"));
        Assert.StartsWith("long [700]: is a number", refused.Message);
        documents[700] = Valid.Replace("\"web\"", "\"web-700\"", StringComparison.Ordinal);
        refused = Assert.Throws<FilterSpecException>(() => ClusterFilterBatch.Read($"[{string.Join(",", documents)}]", "long"));
        Assert.StartsWith("long [1200]: filter.id: 'web-3' is the id of [3] as well", refused.Message);
        documents[1_200] = Valid.Replace("\"web\"", "\"web-1200\"", StringComparison.Ordinal);
        refused = Assert.Throws<FilterSpecException>(() => ClusterFilterBatch.Read($"[{string.Join(",", documents)}]", "long"));
        Assert.StartsWith("long [1500]: schemaVersion:", refused.Message);
    }
}
