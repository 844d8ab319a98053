using System.Net;
using System.Text.Json;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>A node with a team of two simulated adapters: <c>/status</c> shows the team, a removal injected through the admin endpoint is covered by the survivor, arrival ends it.</summary>
public sealed class TeamNodeTests
{
    private static async Task<JsonElement> Team(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        return status.RootElement.GetProperty("teams")[0].Clone();
    }

    private static string Members(JsonElement team) =>
        string.Join(", ", team.GetProperty("members").EnumerateArray().Select(m => $"{m.GetProperty("adapter").GetString()} {(m.GetProperty("up").GetBoolean() ? "up" : "down")} {m.GetProperty("coveredBy")}"));

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Status_shows_the_team_covering_a_removed_member_until_it_arrives()
    {
        using var config = new TempConfig(
            TempConfig.Adapter("pd0", """ "team": "t0", "addresses": ["198.18.1.1"], "simulated": { "mac": "02:00:00:00:00:02" }, """) + ","
            + TempConfig.Adapter("pd1", """ "team": "t0", "addresses": ["198.18.1.2"], "simulated": { "mac": "02:00:00:00:00:03" }, """));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            Assert.Equal("pd0 up , pd1 up ", Members(await Team(http)));

            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/adapters/pd0/events/surprise-removal", null)).StatusCode);
            await Eventually(async () => Members(await Team(http)) == "pd0 down pd1, pd1 up ", "pd1 to cover pd0");
            await Eventually(async () => (await Team(http)).GetProperty("announced").GetInt64() >= 1, "pd1 to announce 198.18.1.1");
            Assert.Equal(1, (await Team(http)).GetProperty("failovers").GetInt64());

            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/adapters/pd0/events/arrival", null)).StatusCode);
            await Eventually(async () => Members(await Team(http)) == "pd0 up , pd1 up ", "pd0 to take its work back");
            Assert.Equal(1, (await Team(http)).GetProperty("failbacks").GetInt64());
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }
}
