using PdCluster.DataPath;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.DataPath;

public sealed class CompiledFilterSetTests
{
    private static CompiledFilterSet Compile(string json, long revision = 0) => CompiledFilterSet.Compile(FilterSpec.ReadList(json, "test"), revision);

    private static FilterSpec Spec(string id, FilterAction action = FilterAction.Count, int? queue = null, params (string Key, string Value)[] match) =>
        new() { Id = id, Action = action, Queue = queue, Match = match.ToDictionary(m => m.Key, m => m.Value) };

    [Fact]
    public void Filters_with_a_queue_and_no_steer_action_are_the_hardware_part()
    {
        var set = Compile("""
            [
              { "id": "flood", "priority": 10, "action": "drop", "match": { "protocol": "udp" } },
              { "id": "web", "priority": 20, "queue": 1, "context": 9, "match": { "protocol": "tcp", "destinationPort": "80" } },
              { "id": "dns", "priority": 30, "action": "steer", "queue": 0, "match": { "destinationPort": "53" } },
              { "id": "icmp", "priority": 40, "action": "drop", "queue": 0, "match": { "protocol": "icmp" } }
            ]
            """, revision: 12);

        Assert.Equal(12, set.Revision);
        Assert.Equal(4, set.Count);
        Assert.Equal(4, set.Classifier.RuleCount);
        Assert.Equal(["web", "icmp"], set.HardwareFilters.Select(f => f.Id));
        var web = set.HardwareFilters[0];
        Assert.Equal((20, 1, 9UL), (web.Priority, web.Queue, web.Context));
        Assert.Same(set.Rules[1].Matches, web.Matches);
        Assert.Equal([MatchField.Protocol, MatchField.DestinationPort], web.Matches.Select(m => m.Field));
    }

    [Fact]
    public void Hardware_filters_are_equal_when_the_adapter_would_do_the_same_with_them()
    {
        const string Web = """{ "id": "web", "priority": 20, "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80" } }""";
        var web = Compile($"[{Web}]").HardwareFilters[0];

        Assert.Equal(web, Compile($"[{Web}]").HardwareFilters[0]);
        Assert.NotEqual(web, Compile($"[{Web.Replace("\"80\"", "\"81\"")}]").HardwareFilters[0]);
        Assert.NotEqual(web, Compile($"[{Web.Replace("\"queue\": 1", "\"queue\": 0")}]").HardwareFilters[0]);
        Assert.NotEqual(web, Compile($"[{Web.Replace("\"priority\": 20", "\"priority\": 21")}]").HardwareFilters[0]);
        Assert.NotEqual(web, Compile($"[{Web.Replace("\"queue\": 1", "\"queue\": 1, \"context\": 3")}]").HardwareFilters[0]);
    }

    [Theory]
    [InlineData("twice", "filter 'a': the id appears twice.")]
    [InlineData("steer", "filter 's': action steer needs a queue to steer to.")]
    [InlineData("negative", "filter 'n': queue -1 is negative.")]
    [InlineData("value", "filter 'v': match.destinationPort: 99999 does not fit in 16 bits (0 to 65535).")]
    [InlineData("field", "filter 'f': match.port: is not a match field")]
    [InlineData("control", "filter #1: an id is 1 to 128 characters with no control characters")]
    [InlineData("long", "filter #1: an id is 1 to 128 characters with no control characters")]
    public void A_bad_filter_is_named_with_its_problem(string problem, string message)
    {
        IReadOnlyList<FilterSpec> specs = problem switch
        {
            "twice" => [Spec("a"), Spec("a")],
            "steer" => [Spec("s", FilterAction.Steer)],
            "negative" => [Spec("n", queue: -1)],
            "value" => [Spec("v", match: ("destinationPort", "99999"))],
            "control" => [Spec("web\n\u2028x\0")],
            "long" => [Spec(new string('i', 129))],
            _ => [Spec("f", match: ("port", "80"))],
        };

        var error = Assert.Throws<FilterSpecException>(() => CompiledFilterSet.Compile(specs));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_queue_the_adapter_lacks_is_named()
    {
        var set = Compile("""[{ "id": "ok", "queue": 1 }, { "id": "far", "action": "steer", "queue": 2 }]""");

        set.EnsureQueuesExist(3);
        var error = Assert.Throws<FilterSpecException>(() => set.EnsureQueuesExist(2));

        Assert.Equal("filter 'far': queue 2 does not exist (queues 0..1).", error.Message);
    }
}
