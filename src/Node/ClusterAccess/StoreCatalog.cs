using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Queues.Classification;

namespace PdCluster.Node.ClusterAccess;

/// <summary><see cref="IClusterCatalog"/> over an <see cref="IClusterStore"/>: the keys under <c>/pd/&lt;cluster&gt;/</c>.</summary>
internal sealed class StoreCatalog(IClusterStore store, string cluster) : IClusterCatalog
{
    private string Prefix => $"/pd/{cluster}/";

    private string FilterKey(string id) => $"{Prefix}filters/{id}";

    /// <inheritdoc/>
    public string Name => $"the cluster store of '{cluster}'";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredFilter>> FiltersAsync(CancellationToken cancel) =>
        [.. (await store.RangeAsync($"{Prefix}filters/", cancel)).Items.Select(Stored)];

    /// <inheritdoc/>
    /// <remarks>
    /// Any key under <c>filters/</c> that <see cref="FiltersAsync"/> lists is found, also one another client wrote under
    /// a name that is no filter id (<c>sub/nested</c>, empty): it shows with its refusal, and can be deleted.
    /// </remarks>
    public async Task<StoredFilter?> FilterAsync(string id, CancellationToken cancel) =>
        (await store.GetAsync(FilterKey(id), cancel)).Items.Select(Stored).FirstOrDefault();

    /// <inheritdoc/>
    public Task<long> PutFilterAsync(ClusterFilter filter, CancellationToken cancel) => store.PutAsync(FilterKey(filter.Id), filter.ToJson(), cancel: cancel);

    /// <inheritdoc/>
    public async Task<BulkPutResult> PutFiltersAsync(IReadOnlyList<ClusterFilter> filters, int inFlight, CancellationToken cancel)
    {
        try
        {
            return await BulkPut.RunAsync(store, [.. filters.Select(f => KeyValuePair.Create(FilterKey(f.Id), f.ToJson()))], inFlight, cancel);
        }
        catch (BulkPutException e) when (e.InnerException is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            throw new ClusterUnavailableException($"the bulk write stopped: of the list's {e.Keys} filters (by index from 0), {e.WrittenKeys} are written " +
                $"({BulkPutException.Describe(e.Written)}), {BulkPutException.Count(e.InDoubt)} may or may not be ({BulkPutException.Describe(e.InDoubt)}" +
                (e.InDoubt.Count > 0 ? ": their transaction failed after it may have reached etcd; `pd filter ls` shows which" : "") +
                $"), {BulkPutException.Count(e.Unsent)} were not sent " +
                $"({BulkPutException.Describe(e.Unsent)}); each transaction (of up to {e.TxnOps}) is written whole or not at all: " + e.InnerException!.Message.ReplaceLineEndings(" "));
        }
    }

    /// <inheritdoc/>
    public async Task<long?> DeleteFilterAsync(string id, CancellationToken cancel)
    {
        if (await FilterAsync(id, cancel) is null)
            return null;
        return await store.DeleteAsync(FilterKey(id), cancel);
    }

    /// <inheritdoc/>
    public async Task<ClusterView> ViewAsync(CancellationToken cancel)
    {
        var members = await store.RangeAsync($"{Prefix}members/", cancel);
        var statuses = await store.RangeAsync($"{Prefix}status/", cancel);
        var filters = await store.RangeAsync($"{Prefix}filters/", cancel);
        var owners = await store.RangeAsync($"{Prefix}owners/", cancel);
        var election = await store.RangeAsync($"{Prefix}election/", cancel);
        var warnings = LeaseHeld.Stray(members.Items, election.Items).Select(k => $"{k} is held by no lease, so it is no node's record (left out; delete it)").ToList();
        return new ClusterView(filters.Revision,
            Readable(members.Items.Where(m => m.Lease != 0), MembershipJson.Default.MemberRecord, warnings),
            Readable(statuses.Items, MembershipJson.Default.MemberStatus, warnings),
            [.. filters.Items.Select(Stored)],
            Readable(owners.Items, MembershipJson.Default.OwnerRecord, warnings),
            LeaseHeld.Leader(Prefix, members.Items, election.Items)?.Value,
            warnings);
    }

    /// <summary>Each record that reads as <typeparamref name="T"/>; one that does not is left out with a warning naming its key.</summary>
    private static List<T> Readable<T>(IEnumerable<KeyValue> items, JsonTypeInfo<T> type, List<string> warnings) where T : class
    {
        var read = new List<T>();
        foreach (var item in items)
        {
            try
            {
                read.Add(JsonSerializer.Deserialize(item.Value, type) ?? throw new JsonException("the record is null."));
            }
            catch (JsonException e)
            {
                warnings.Add($"{item.Key} is not pd's JSON (left out): {e.Message}");
            }
        }
        return read;
    }

    private StoredFilter Stored(KeyValue item)
    {
        var id = item.Key[$"{Prefix}filters/".Length..];
        string? error = null;
        try
        {
            ClusterFilter.Read(item.Value, item.Key, id);
        }
        catch (FilterSpecException e)
        {
            error = e.Message;
        }
        return new StoredFilter(id, item.ModRevision, item.Value, error);
    }
}
