using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>
/// The fewest buffers the configuration accepts are enough for every queue: a node on small rings with exactly that
/// pool forwards the simulated generator's traffic on each of its queues, and every buffer comes home at the stop.
/// </summary>
public sealed class MinimumBuffersTests
{
    /// <summary>An adapter whose generator sends one UDP flow per queue, and a filter file steering flow i to queue i (flow 0 meets RSS on queue 0).</summary>
    private static TempConfig Config(int queues, int queueSize, int buffers)
    {
        var flows = string.Join(", ", Enumerable.Range(0, queues).Select(q =>
            $$"""{ "source": "198.18.0.{{10 + q}}", "destination": "198.18.1.1", "protocol": "udp", "sourcePort": 4000, "destinationPort": {{1000 + q}} }"""));
        var adapter = $$"""
            { "name": "pd0", "queues": {{queues}}, "queueSize": {{queueSize}}, "burst": {{queueSize / 2}}, "buffers": {{buffers}},
              "simulated": { "generator": { "rate": 20000, "flows": [ {{flows}} ] } } }
            """;
        var config = new TempConfig(adapter, "\"filters\": \"filters.json\",");
        var filters = string.Join(",\n", Enumerable.Range(1, queues - 1).Select(q =>
            $$"""{ "id": "to-{{q}}", "priority": {{q}}, "action": "count", "queue": {{q}}, "match": { "protocol": "udp", "destinationPort": "{{1000 + q}}" } }"""));
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), $"[ {filters} ]");
        return config;
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(4, 8)]
    [InlineData(4, 16)]
    [InlineData(4, 32)]
    [InlineData(16, 8)]
    public async Task The_fewest_buffers_the_config_accepts_forward_on_every_queue(int queues, int queueSize)
    {
        var fewest = 2 * queues * queueSize;
        using (var tooFew = Config(queues, queueSize, fewest - 1))
        {
            var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(tooFew.Path));
            Assert.Equal($"{tooFew.Path}: adapters[0].buffers: must be at least 2 × queues × queueSize = {fewest} and at most {NodeConfigLoader.MaxBuffers} (got {fewest - 1}).", e.Message);
        }
        using var config = Config(queues, queueSize, fewest);
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            IReadOnlyList<long> Forwarded() => [.. host.Telemetry.Single().Queues.Select(q => q.Forwarded)];
            while (Forwarded().Any(f => f < 100) && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            var forwarded = Forwarded();
            Assert.Equal(queues, forwarded.Count);
            Assert.True(forwarded.All(f => f >= 100), $"forwarded per queue: {string.Join(", ", forwarded)}");
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
        Assert.True(host.Traffic?.Returned > 0);
    }
}
