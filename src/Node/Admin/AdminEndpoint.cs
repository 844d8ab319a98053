using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PdCluster.Actors.Framework;
using PdCluster.Cluster.Etcd;
using PdCluster.Node.ClusterAccess;
using PdCluster.Node.Commands;
using PdCluster.Node.Hosting;
using PdCluster.DataPath;
using PdCluster.Queues.Capture;

namespace PdCluster.Node.Admin;

/// <summary>
/// The running node's loopback-only HTTP endpoint: <c>GET /metrics</c> (Prometheus text), <c>GET /status</c> (JSON),
/// <c>GET /members</c> (the cluster's registered nodes), <c>POST /adapters/{name}/events/{event}</c> to inject a
/// device event into a simulated adapter, <c>POST /adapters/{name}/queues/{queue}/capture</c> to stream what a
/// receive queue gets (<see cref="CaptureStream"/>), and the <c>/cluster</c> routes the <c>pd filter</c>, <c>pd node ls</c>
/// and <c>pd cluster status</c> commands use (<see cref="ClusterRoutes"/>).
/// </summary>
internal static class AdminEndpoint
{
    public static async Task<WebApplication> StartAsync(INodeAdmin node, IPEndPoint endpoint, PrometheusExporter exporter)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default));
        // Loopback names only, so a web page cannot reach the endpoint through a name it controls (DNS rebinding).
        builder.Services.Configure<HostFilteringOptions>(o =>
            o.AllowedHosts = ["localhost", "127.0.0.1", "[::1]", endpoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString()]);
        var app = builder.Build();
        app.UseHostFiltering();
        // Browsers name the page's origin on a cross-site request, and send a body-less POST without asking first;
        // the pd command and curl send none. A request that carries one is refused, so a page cannot inject events.
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Origin.Count > 0)
            {
                await Results.Json(new AdminError("The admin endpoint takes no requests from web pages (the request has an Origin header)."),
                    AdminJson.Default.AdminError, statusCode: 403).ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        // A store that does not answer is the node's cluster view being unavailable, not a fault of the endpoint.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (e is EtcdException or ClusterUnavailableException && !context.Response.HasStarted)
            {
                await Results.Json(new AdminError($"the cluster store does not answer: {e.Message.ReplaceLineEndings(" ")}"), AdminJson.Default.AdminError, statusCode: 503)
                    .ExecuteAsync(context);
            }
            catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
            {
                // A fault of the node: the operator sees it in the node's log, the caller a line that says where.
                var failure = $"{context.Request.Method} {context.Request.Path} failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
                TerminalText.Error($"pd: error: admin endpoint: {failure}");
                await Results.Json(new AdminError($"the node could not answer ({failure}); its log has the same line."), AdminJson.Default.AdminError, statusCode: 500)
                    .ExecuteAsync(context);
            }
        });

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
        app.MapPost("/adapters/{name}/queues/{queue}/capture", (HttpContext context, string name, string queue, long? count, int? snaplen) =>
        {
            if (!int.TryParse(queue, out var index) || index < 0)
                return Task.FromResult(Results.Json(new AdminError($"'{queue}' is not a queue number (0 or more)."), AdminJson.Default.AdminError, statusCode: 400));
            if (count is < 1 || snaplen is < 1 or > CaptureFile.MaxCapturedLength)
                return Task.FromResult(Results.Json(new AdminError($"count must be 1 or more and snaplen 1 to {CaptureFile.MaxCapturedLength}."), AdminJson.Default.AdminError, statusCode: 400));
            var start = node.StartCapture(name, index, snaplen ?? CaptureFile.MaxCapturedLength, count ?? long.MaxValue);
            if (start.Tap is not { } tap || start.Ring is not { } ring)
                return Task.FromResult(Results.Json(new AdminError(start.Refusal!), AdminJson.Default.AdminError, statusCode: start.NotFound ? 404 : 409));
            return StreamCaptureAsync(context, tap, ring, app.Lifetime.ApplicationStopping);
        });
        ClusterRoutes.Map(app, node.Cluster);
        VSwitchRoutes.Map(app, node);
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Streams what <paramref name="ring"/> takes until it has every frame asked for, the queue stops, the node stops
    /// or the reader goes away; the tap is disarmed in every case.
    /// </summary>
    private static async Task<IResult> StreamCaptureAsync(HttpContext context, CaptureTap tap, CaptureRing ring, CancellationToken stopping)
    {
        var response = context.Response;
        response.ContentType = CaptureStream.MediaType;
        response.Headers[CaptureStream.SnapLengthHeader] = ring.SnapLength.ToString(CultureInfo.InvariantCulture);
        var record = new byte[CaptureStream.RecordSize(ring.SnapLength)];
        string? reason = null;
        try
        {
            await response.StartAsync(context.RequestAborted);
            long taken = 0;
            while (!stopping.IsCancellationRequested)
            {
                var captured = ring.TryTake(record.AsSpan(CaptureStream.FrameData), out var ticks, out var original);
                if (captured >= 0)
                {
                    await response.Body.WriteAsync(record.AsMemory(0, CaptureStream.FrameRecord(record, ticks, original, captured)), context.RequestAborted);
                    taken++;
                    continue;
                }
                if (taken >= ring.Limit)
                    break;
                if (ring.EndReason is { } ended)
                {
                    reason = ended;
                    break;
                }
                await response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(CapturePoll, context.RequestAborted);
            }
            if (stopping.IsCancellationRequested)
                reason = "the node is stopping";
            tap.Disarm(ring);
            await response.Body.WriteAsync(CaptureStream.EndRecord(taken, ring.Dropped, reason), context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The reader went away (Ctrl-C on pd capture): nothing more to send.
        }
        finally
        {
            tap.Disarm(ring);
        }
        return Results.Empty;
    }

    /// <summary>How long the capture streamer waits when the ring is empty.</summary>
    private static readonly TimeSpan CapturePoll = TimeSpan.FromMilliseconds(5);

    /// <summary>The address <paramref name="app"/> listens on: <paramref name="requested"/> with the port Kestrel bound (a free one for port 0).</summary>
    public static IPEndPoint Bound(WebApplication app, IPEndPoint requested)
    {
        var port = app.Urls.Select(url => new Uri(url).Port).FirstOrDefault(p => p > 0);
        return port > 0 ? new IPEndPoint(requested.Address, port) : requested;
    }
}
