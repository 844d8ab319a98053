using System.Net;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>
/// The bodies of the admin endpoint's <c>/vswitch</c> routes, fuzzed against a running node: random keys and values,
/// damaged documents and oversized ones. Each answer is 200 with a revision or 400 with a message in pd's words (no
/// type names of the implementation), never a 500 or an empty body.
/// </summary>
public sealed class VSwitchRouteFuzzTests
{
    private static readonly string[] Routes = ["vswitch/switches", "vswitch/vms/fz/adapters", "vswitch/ports/P/rules"];

    private static readonly string[] Keys = ["name", "adapter", "allowManagementOs", "switch", "staticMac", "address", "zzz", "Name", "schemaVersion", "id"];

    private static readonly string[] Values = ["\"x1\"", "\"pd0\"", "\"sw\"", "null", "true", "1", "-1", "1e400", "\"\"", "[]", "{}", "\"00:15:5d:00:00:0f\"",
        "\"198.18.1.10/15\"", "\"01:00:5e:00:00:01\"", $"\"{new string('é', 3000)}\"", "\"\\u0000\""];

    private static readonly string[] Valid = ["""{"name":"x1","adapter":"pd0"}""", """{"switch":"sw","staticMac":"00:15:5d:00:00:0f"}""",
        """{"name":"x2","adapter":"nosuch","allowManagementOs":true}"""];

    [Fact]
    public async Task Whatever_the_body_the_vswitch_routes_answer_200_or_400_in_pds_words()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("pd1", "\"simulated\": { \"mac\": \"02:00:00:00:01:02\" },"));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        using var http = new HttpClient();
        var answered = new Dictionary<HttpStatusCode, int>();
        try
        {
            await Post("vswitch/switches", """{"name":"sw","adapter":"pd1"}""");
            var pair = from key in Gen.Elements(Keys) from value in Gen.Elements(Values) select $"\"{key}\":{value}";
            var objects = Gen.Choose(0, 5).SelectMany(n => pair.ListOf(n)).Select(p => "{" + string.Join(",", p) + "}");
            var damaged = from valid in Gen.Elements(Valid) from at in Gen.Choose(0, 60) from cut in Gen.Choose(1, 5) from token in Gen.Elements("{", "}", "\"", ",", ":", "null", "[")
                          select valid.Length > at ? valid.Remove(at, Math.Min(cut, valid.Length - at)).Insert(at, token) : valid + token;
            var bodies = Gen.OneOf(objects, damaged, Gen.Elements(Valid), Gen.Elements("", "null", "[]", "\"x\"", new string('[', 5000), $"{{\"name\":\"{new string('a', 70_000)}\"}}"));
            var requests = (from route in Gen.Elements(Routes) from body in bodies select (route, body)).ToArbitrary();
            Prop.ForAll(requests, request =>
            {
                var (status, text) = Post(request.route, request.body).GetAwaiter().GetResult();
                answered[status] = answered.GetValueOrDefault(status) + 1;
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{request.route} {request.body}: {(int)status} {text}");
                using var answer = JsonDocument.Parse(text);
                if (status == HttpStatusCode.OK)
                    Assert.True(answer.RootElement.GetProperty("revision").GetInt64() > 0);
                else
                {
                    var error = answer.RootElement.GetProperty("error").GetString()!;
                    Assert.False(error.Length == 0 || error.Contains("PdCluster.") || error.Contains("System."), $"{request.route} {request.body}: '{error}'");
                }
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(400));
            Assert.True(answered.GetValueOrDefault(HttpStatusCode.OK) > 0 && answered.GetValueOrDefault(HttpStatusCode.BadRequest) > 100,
                $"answers: {string.Join(", ", answered)}");
        }
        finally
        {
            await host.ShutdownAsync("test");
        }

        async Task<(HttpStatusCode, string)> Post(string route, string body)
        {
            using var response = await http.PostAsync($"{host.AdminUrl}/{route}", new StringContent(body, Encoding.UTF8, "application/json"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
