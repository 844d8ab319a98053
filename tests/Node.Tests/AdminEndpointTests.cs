using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.Provider;

namespace PdCluster.Tests.Node;

public sealed class AdminEndpointTests
{
    private static double Metric(string metrics, string series)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(series) + " ([0-9.eE+-]+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in /metrics");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> StateOf(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        return status.RootElement.GetProperty("adapters")[0].GetProperty("state").GetString()!;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Metrics_move_status_reports_and_injected_events_take_effect()
    {
        using var config = new TempConfig();
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            var first = await http.GetStringAsync("/metrics");
            var series = "pd_rx_packets_total{adapter=\"pd0\",queue=\"0\"}";
            await Eventually(async () => Metric(await http.GetStringAsync("/metrics"), series) > Metric(first, series) + 100, "rx counter to move");
            Assert.Contains("# TYPE pd_filter_hits_total counter", first);
            Assert.Contains("# TYPE pd_queue_busy_seconds_total counter", first);
            var busy = "pd_queue_busy_seconds_total{adapter=\"pd0\",queue=\"0\"}";
            await Eventually(async () => Metric(await http.GetStringAsync("/metrics"), busy) > Metric(first, busy), "the queue's busy time to grow");
            await Eventually(async () => (await http.GetStringAsync("/members")).Contains("\"node\":\"test-node\""), "the node registered as a member");
            Assert.Equal("Running", await StateOf(http));

            var removed = await http.PostAsync("/adapters/pd0/events/surprise-removal", null);
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            await Eventually(async () => await StateOf(http) == "Removed", "Removed");
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Equal(Metric(metrics, "pd_pool_buffers{adapter=\"pd0\"}"), Metric(metrics, "pd_pool_free_buffers{adapter=\"pd0\"}"));

            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/adapters/pd0/events/arrival", null)).StatusCode);
            await Eventually(async () => await StateOf(http) == "Running", "Running after arrival");

            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/adapters/pd0/events/explode", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/adapters/nope/events/d3", null)).StatusCode);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    [Fact]
    public async Task Requests_from_web_pages_or_under_foreign_host_names_are_refused_and_change_nothing()
    {
        using var config = new TempConfig();
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            await Eventually(async () => await StateOf(http) == "Running", "Running");

            using var rebound = new HttpRequestMessage(HttpMethod.Post, "/adapters/pd0/events/disable");
            rebound.Headers.Host = "evil.example";
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound)).StatusCode);
            using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/adapters/pd0/events/disable");
            crossSite.Headers.Add("Origin", "http://evil.example");
            var refused = await http.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("Origin", await refused.Content.ReadAsStringAsync());
            using var named = new HttpRequestMessage(HttpMethod.Get, "/status");
            named.Headers.Host = $"localhost:{new Uri(host.AdminUrl).Port}";
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(named)).StatusCode);

            Assert.Equal("Running", await StateOf(http));
            Assert.Matches("\"[Dd]isable\":0", await http.GetStringAsync("/status"));
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
    }

    [Fact]
    public async Task Arp_from_the_generator_goes_to_the_os_path_and_shows_in_the_table_and_metrics()
    {
        var embedded = NodeConfigLoader.Load(null).Config.Adapters[0].Simulated!.Generator!.Flows;
        Assert.Contains(embedded, f => f.Protocol == "arp");
        var arp = """{ "source": "198.18.0.10", "destination": "198.18.1.1", "protocol": "arp" }""";
        using var config = new TempConfig(TempConfig.Adapter("pd0").Replace("\"flows\": [", $"\"flows\": [ {arp},"));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            var series = "pd_os_path_packets_total{adapter=\"pd0\",queue=\"0\"}";
            await Eventually(async () => Metric(await http.GetStringAsync("/metrics"), series) > 100, "ARP on the OS path");
            var before = NodeReport.Sample(host);
            await Task.Delay(200);
            var report = NodeReport.Between(host, before, 0.2, 1);
            Assert.True(report.Queues.Single(q => q.Queue == 0).ToOsPerSecond > 0, "the table shows no OS-path rate");
            using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
            Assert.True(status.RootElement.GetProperty("adapters")[0].GetProperty("queues")[0].GetProperty("toOs").GetInt64() > 0);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task A_storm_of_events_posted_with_no_pause_ends_where_the_last_events_say(int seed)
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0", "\"checkedBuffers\": true"));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            string[] names = ["surprise-removal", "arrival", "d3", "d0", "disable", "enable", "link-down", "link-up"];
            var random = new Random(seed);
            var sent = Enumerable.Range(0, 300).Select(_ => names[random.Next(names.Length)]).ToList();
            using var reading = new CancellationTokenSource();
            var reads = 0;
            var reader = Task.Run(async () =>
            {
                while (!reading.IsCancellationRequested)
                {
                    Assert.Equal("pd0", JsonDocument.Parse(await http.GetStringAsync("/status")).RootElement.GetProperty("adapters")[0].GetProperty("adapter").GetString());
                    reads++;
                }
            });
            foreach (var name in sent)
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/adapters/pd0/events/{name}", null)).StatusCode);

            bool present = sent.LastOrDefault(n => n is "surprise-removal" or "arrival") != "surprise-removal";
            bool enabled = sent.LastOrDefault(n => n is "disable" or "enable") != "disable";
            bool powered = sent.LastOrDefault(n => n is "d3" or "d0") != "d3";
            var expected = !present ? "Removed" : enabled && powered ? "Running" : "Quiesced";
            await Eventually(async () => await StateOf(http) == expected, expected);
            // The state can match before the supervisor has taken the last events that change nothing: wait for all.
            await Eventually(async () => JsonDocument.Parse(await http.GetStringAsync("/status")).RootElement.GetProperty("adapters")[0]
                .GetProperty("events").EnumerateObject().Sum(e => e.Value.GetInt64()) == sent.Count, "every event counted");
            reading.Cancel();
            await reader;
            Assert.True(reads > 0);

            using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
            var adapter = status.RootElement.GetProperty("adapters")[0];
            var events = adapter.GetProperty("events");
            Assert.Equal(sent.Count(n => n == "surprise-removal"), events.GetProperty("SurpriseRemoval").GetInt64());
            Assert.Equal(sent.Count(n => n == "link-up"), events.GetProperty("LinkUp").GetInt64());
            Assert.Equal(sent.Count(n => n == "d3"), events.GetProperty("LowPower").GetInt64());
            Assert.Equal(sent.Count, events.EnumerateObject().Sum(e => e.Value.GetInt64()));
            if (expected == "Running")
                Assert.True(adapter.GetProperty("error").ValueKind == JsonValueKind.Null, adapter.GetProperty("error").ToString());
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
        Assert.Empty(host.GivenUp);
    }

    [Fact]
    public async Task Status_answers_while_the_adapter_supervisor_is_busy_setting_twenty_thousand_receive_filters()
    {
        const int count = 20_000;
        using var config = new TempConfig(extra: "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), "[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $$"""{ "id": "f{{i}}", "priority": 10, "queue": {{i % 2}}, "match": { "protocol": "udp", "destinationPort": "{{1 + i}}" } }""")) + "]");
        using var gate = new GatedProviderFactory();
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path), new PdProviderRegistry([gate]));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            Assert.Equal("Running", await StateOf(http));
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/adapters/pd0/events/disable", null)).StatusCode);
            await Eventually(async () => await StateOf(http) == "Quiesced", "Quiesced");

            // Enable reopens the data path; its receive-filter batch waits in the provider until the gate opens.
            gate.Close();
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/adapters/pd0/events/enable", null)).StatusCode);
            Assert.True(gate.WaitUntilHeld(TimeSpan.FromSeconds(30)), "the receive filters were never set");

            using (var busy = JsonDocument.Parse(await http.GetStringAsync("/status")))
            {
                var adapter = busy.RootElement.GetProperty("adapters")[0];
                Assert.Equal("pd0", adapter.GetProperty("adapter").GetString());
                Assert.Equal("Starting", adapter.GetProperty("state").GetString());
                Assert.Equal(count, adapter.GetProperty("filtersInstalling").GetInt32());
                Assert.True(adapter.GetProperty("enabled").GetBoolean());
            }

            gate.Open();
            await Eventually(async () => await StateOf(http) == "Running", "Running once the filters are set");
            using var done = JsonDocument.Parse(await http.GetStringAsync("/status"));
            Assert.Equal(0, done.RootElement.GetProperty("adapters")[0].GetProperty("filtersInstalling").GetInt32());
        }
        finally
        {
            gate.Open();
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    [Fact]
    public async Task A_refused_adapter_is_reported_not_fatal()
    {
        using var config = new TempConfig(TempConfig.Adapter("ib0").Replace("\"simulated\": {", "\"simulated\": { \"linkType\": \"InfiniBand\","));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
            var adapter = status.RootElement.GetProperty("adapters")[0];
            Assert.Equal("Refused", adapter.GetProperty("state").GetString());
            Assert.Contains("PacketDirect is supported only on Ethernet ports", adapter.GetProperty("error").GetString());
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
    }
}
