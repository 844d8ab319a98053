using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PdCluster.Actors.Framework;
using PdCluster.Node.Hosting;

namespace PdCluster.Node.Admin;

/// <summary>
/// The running node's loopback-only HTTP endpoint: <c>GET /metrics</c> (Prometheus text), <c>GET /status</c> (JSON),
/// <c>GET /members</c> (the cluster's registered nodes), and <c>POST /adapters/{name}/events/{event}</c> to inject a
/// device event into a simulated adapter.
/// </summary>
internal static class AdminEndpoint
{
    public static async Task<WebApplication> StartAsync(INodeAdmin node, IPEndPoint endpoint, PrometheusExporter exporter)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default));
        var app = builder.Build();

        app.MapGet("/metrics", () => Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/status", async () => Results.Json(await node.StatusAsync(), AdminJson.Default.NodeStatus));
        app.MapGet("/members", async () => Results.Json(await node.MembersAsync(), AdminJson.Default.IReadOnlyListMemberRecord));
        app.MapPost("/adapters/{name}/events/{eventName}", (string name, string eventName) =>
        {
            if (!DeviceEventNames.TryParse(eventName, out var deviceEvent))
                return Results.Json(new AdminError($"'{eventName}' is not a device event (known: {string.Join(", ", DeviceEventNames.All)})."), AdminJson.Default.AdminError, statusCode: 400);
            return node.Inject(name, deviceEvent) switch
            {
                InjectOutcome.NoSuchAdapter => Results.Json(new AdminError($"No adapter named '{name}' on this node."), AdminJson.Default.AdminError, statusCode: 404),
                InjectOutcome.NotInjectable => Results.Json(new AdminError($"{name}'s provider takes no injected events."), AdminJson.Default.AdminError, statusCode: 409),
                _ => Results.Json(new Injected(name, DeviceEventNames.Name(deviceEvent)), AdminJson.Default.Injected),
            };
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>The address <paramref name="app"/> listens on: <paramref name="requested"/> with the port Kestrel bound (a free one for port 0).</summary>
    public static IPEndPoint Bound(WebApplication app, IPEndPoint requested)
    {
        var port = app.Urls.Select(url => new Uri(url).Port).FirstOrDefault(p => p > 0);
        return port > 0 ? new IPEndPoint(requested.Address, port) : requested;
    }
}
