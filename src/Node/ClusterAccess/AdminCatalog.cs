using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Node.Admin;

namespace PdCluster.Node.ClusterAccess;

/// <summary>
/// <see cref="IClusterCatalog"/> through a running node's admin endpoint (<c>/cluster/…</c> routes), for the store that
/// lives inside that node. Each request gives up after <see cref="Timeout"/>.
/// </summary>
internal sealed class AdminCatalog(Uri endpoint) : IClusterCatalog
{
    /// <summary>
    /// How long one request may take: longer than a node takes to find its etcd silent (5 s for each of up to three
    /// members), so a node whose store fails answers that, in time, instead of looking dead.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(16);

    /// <summary>How long a bulk write of filters may take.</summary>
    public static readonly TimeSpan BulkTimeout = TimeSpan.FromSeconds(120);

    private static readonly HttpClient Http = new() { Timeout = global::System.Threading.Timeout.InfiniteTimeSpan };

    private readonly Uri _base = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");

    /// <inheritdoc/>
    public string Name => endpoint.ToString();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredFilter>> FiltersAsync(CancellationToken cancel) =>
        (await SendAsync(HttpMethod.Get, "cluster/filters", null, AdminJson.Default.IReadOnlyListStoredFilter, cancel))!;

    /// <inheritdoc/>
    public Task<StoredFilter?> FilterAsync(string id, CancellationToken cancel) =>
        SendAsync(HttpMethod.Get, $"cluster/filters?id={Uri.EscapeDataString(id)}", null, AdminJson.Default.StoredFilter, cancel);

    /// <inheritdoc/>
    public async Task<long> PutFilterAsync(ClusterFilter filter, CancellationToken cancel) =>
        (await SendAsync(HttpMethod.Put, $"cluster/filters/{Uri.EscapeDataString(filter.Id)}", filter.ToJson(), AdminJson.Default.FilterWritten, cancel))!.Revision;

    /// <inheritdoc/>
    public async Task<BulkPutResult> PutFiltersAsync(IReadOnlyList<ClusterFilter> filters, int inFlight, CancellationToken cancel) =>
        (await SendAsync(HttpMethod.Post, $"cluster/filters?inFlight={inFlight}", $"[{string.Join(",", filters.Select(f => f.ToJson()))}]", AdminJson.Default.BulkPutResult, cancel, BulkTimeout))!;

    /// <inheritdoc/>
    public async Task<long?> DeleteFilterAsync(string id, CancellationToken cancel) =>
        (await SendAsync(HttpMethod.Delete, $"cluster/filters?id={Uri.EscapeDataString(id)}", null, AdminJson.Default.FilterWritten, cancel))?.Revision;

    /// <inheritdoc/>
    public async Task<ClusterView> ViewAsync(CancellationToken cancel) =>
        (await SendAsync(HttpMethod.Get, "cluster", null, AdminJson.Default.ClusterView, cancel))!;

    /// <summary>One request: the answer, null on 404, <see cref="ClusterRefusedException"/> on another 4xx, <see cref="ClusterUnavailableException"/> otherwise.</summary>
    internal async Task<T?> SendAsync<T>(HttpMethod method, string path, string? body, JsonTypeInfo<T> answer, CancellationToken cancel, TimeSpan? timeout = null) where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout ?? Timeout);
        using var request = new HttpRequestMessage(method, new Uri(_base, path));
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            using var response = await Http.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (response.IsSuccessStatusCode)
                return JsonSerializer.Deserialize(text, answer);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            var error = Error(text);
            if ((int)response.StatusCode is >= 400 and < 500)
                throw new ClusterRefusedException(error);
            throw new ClusterUnavailableException($"{endpoint}: {(int)response.StatusCode} {response.ReasonPhrase}: {error}");
        }
        catch (HttpRequestException e)
        {
            throw new ClusterUnavailableException($"no node answers at {endpoint}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new ClusterUnavailableException($"{endpoint} did not answer within {(timeout ?? Timeout).TotalSeconds:0} s; is a node running there? (one whose cluster store does not answer says so sooner)");
        }
        catch (JsonException e)
        {
            throw new ClusterUnavailableException($"{endpoint} answered something that is not pd's JSON: {e.Message}");
        }
    }

    /// <summary>The message of an <see cref="AdminError"/> body, or the body itself.</summary>
    private static string Error(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, AdminJson.Default.AdminError)?.Error ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
