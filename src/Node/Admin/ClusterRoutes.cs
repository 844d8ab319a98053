using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Node.ClusterAccess;
using PdCluster.Queues.Classification;

namespace PdCluster.Node.Admin;

/// <summary>
/// The admin endpoint's view of the cluster store the node holds: <c>GET /cluster</c> (members, statuses, filters),
/// <c>GET /cluster/filters</c>, and <c>GET</c>, <c>PUT</c> (a <see cref="ClusterFilter"/> document, checked before it is
/// written), <c>POST /cluster/filters</c> (a list of documents, checked, then written in bulk, <c>?inFlight=N</c>
/// transactions at once) and <c>DELETE /cluster/filters/{id}</c>; <c>GET</c> and <c>DELETE /cluster/filters?id=KEY</c>
/// reach any key under <c>filters/</c>, also one that is no filter id.
/// </summary>
internal static class ClusterRoutes
{
    public static void Map(WebApplication app, IClusterCatalog cluster)
    {
        app.MapGet("/cluster", async (CancellationToken cancel) => Results.Json(await cluster.ViewAsync(cancel), AdminJson.Default.ClusterView));
        app.MapGet("/cluster/filters", async (string? id, CancellationToken cancel) => id is null
            ? Results.Json(await cluster.FiltersAsync(cancel), AdminJson.Default.IReadOnlyListStoredFilter)
            : await Show(cluster, id, cancel));
        app.MapGet("/cluster/filters/{id}", (string id, CancellationToken cancel) => Show(cluster, id, cancel));
        app.MapPut("/cluster/filters/{id}", async (string id, HttpRequest request, CancellationToken cancel) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(cancel);
            ClusterFilter filter;
            try
            {
                filter = ClusterFilter.Read(body, $"filters/{id}", id);
            }
            catch (FilterSpecException e)
            {
                return Results.Json(new AdminError(e.Message), AdminJson.Default.AdminError, statusCode: 400);
            }
            return Results.Json(new FilterWritten(id, await cluster.PutFilterAsync(filter, cancel)), AdminJson.Default.FilterWritten);
        });
        app.MapPost("/cluster/filters", async (HttpRequest request, CancellationToken cancel) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(cancel);
            IReadOnlyList<ClusterFilter> filters;
            try
            {
                filters = ClusterFilterBatch.IsList(body) ? ClusterFilterBatch.Read(body, "the request") : throw new FilterSpecException("the request: is not a list of filter documents.");
            }
            catch (FilterSpecException e)
            {
                return Results.Json(new AdminError(e.Message), AdminJson.Default.AdminError, statusCode: 400);
            }
            var inFlight = int.TryParse(request.Query["inFlight"], out var given) && given is >= 1 and <= BulkPut.MaxInFlight ? given : BulkPut.DefaultInFlight;
            try
            {
                return Results.Json(await cluster.PutFiltersAsync(filters, inFlight, cancel), AdminJson.Default.BulkPutResult);
            }
            catch (ClusterUnavailableException e)
            {
                return Results.Json(new AdminError(e.Message), AdminJson.Default.AdminError, statusCode: 503);
            }
        });
        // ?id= reaches any key under filters/, also one whose name a path segment cannot carry ('sub/nested', empty).
        app.MapDelete("/cluster/filters", (string id, CancellationToken cancel) => Delete(cluster, id, cancel));
        app.MapDelete("/cluster/filters/{id}", (string id, CancellationToken cancel) => Delete(cluster, id, cancel));
    }

    private static async Task<IResult> Show(IClusterCatalog cluster, string id, CancellationToken cancel) =>
        await cluster.FilterAsync(id, cancel) is { } filter ? Results.Json(filter, AdminJson.Default.StoredFilter) : NoSuchFilter(id);

    private static async Task<IResult> Delete(IClusterCatalog cluster, string id, CancellationToken cancel) =>
        await cluster.DeleteFilterAsync(id, cancel) is { } revision ? Results.Json(new FilterWritten(id, revision), AdminJson.Default.FilterWritten) : NoSuchFilter(id);

    private static IResult NoSuchFilter(string id) =>
        Results.Json(new AdminError($"no cluster filter '{id}'."), AdminJson.Default.AdminError, statusCode: 404);
}
