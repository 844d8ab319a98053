using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;

namespace PdCluster.Cluster.Etcd;

/// <summary>
/// <see cref="IClusterStore"/> on a real etcd cluster (3.4 or later): requests through its v3 JSON gateway, watches
/// as its gRPC Watch stream over HTTP/2 (which costs etcd a fifth of the CPU the gateway's JSON stream does), resumed
/// after the last delivered revision when a member goes away. Keys and values are UTF-8, prefixes key ranges.
/// </summary>
public sealed class EtcdStore : IClusterStore
{
    private const int NotFound = 5;
    private const int OutOfRange = 11;
    private const int InvalidArgument = 3;
    private const int Unavailable = 14;
    private const int Unauthenticated = 16;
    private const string WatchCall = "/etcdserverpb.Watch/Watch";
    private static readonly TimeSpan Reconnect = TimeSpan.FromMilliseconds(100);

    private readonly EtcdGateway _gateway;
    private readonly EtcdOptions _options;
    private readonly ConcurrentDictionary<long, TimeSpan> _ttls = new();
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Creates a client for the members in <paramref name="options"/>; nothing is sent until the first call.</summary>
    public EtcdStore(EtcdOptions options)
    {
        _gateway = new EtcdGateway(options);
        _options = options;
    }

    /// <inheritdoc/>
    public async Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        try
        {
            var answer = await _gateway.PostWriteAsync("/v3/kv/put", new PutRequest(Bytes(key), Bytes(value), lease), GatewayJson.Default.PutRequest, GatewayJson.Default.HeaderResponse, cancel);
            return answer.Header.Revision;
        }
        catch (EtcdException e) when (e.Code == NotFound && lease != 0)
        {
            throw new LeaseNotFoundException(lease);
        }
    }

    /// <inheritdoc/>
    public Task<RangeResult> GetAsync(string key, CancellationToken cancel = default) => ReadAsync(new RangeRequest(Bytes(key)), cancel);

    /// <inheritdoc/>
    public Task<RangeResult> RangeAsync(string prefix, CancellationToken cancel = default)
    {
        var (key, end) = KeyRange.Prefix(prefix);
        return ReadAsync(new RangeRequest(key, end), cancel);
    }

    /// <inheritdoc/>
    public async Task<PrefixSummary> SummarizeAsync(string prefix, CancellationToken cancel = default)
    {
        var (key, end) = KeyRange.Prefix(prefix);
        var request = new RangeRequest(key, end, Limit: 1, SortOrder: "DESCEND", SortTarget: "MOD", KeysOnly: true);
        var answer = await _gateway.PostAsync("/v3/kv/range", request, GatewayJson.Default.RangeRequest, GatewayJson.Default.RangeResponse, cancel);
        return new PrefixSummary(answer.Count, answer.Kvs is [var newest, ..] ? newest.ModRevision : 0, answer.Header.Revision);
    }

    /// <inheritdoc/>
    public async Task<long> DeleteAsync(string key, CancellationToken cancel = default)
    {
        var answer = await _gateway.PostWriteAsync("/v3/kv/deleterange", new DeleteRangeRequest(Bytes(key)), GatewayJson.Default.DeleteRangeRequest, GatewayJson.Default.HeaderResponse, cancel);
        return answer.Header.Revision;
    }

    /// <inheritdoc/>
    public async Task<TxnResult> TxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, IReadOnlyList<TxnOp>? otherwise = null, CancellationToken cancel = default)
    {
        var request = new TxnRequest([.. when.Select(ToGateway)], [.. then.Select(ToGateway)], [.. (otherwise ?? []).Select(ToGateway)]);
        try
        {
            var answer = await _gateway.PostWriteAsync("/v3/kv/txn", request, GatewayJson.Default.TxnRequest, GatewayJson.Default.TxnResponse, cancel);
            return new TxnResult(answer.Succeeded, answer.Header.Revision);
        }
        catch (EtcdException e) when (e.Code == NotFound && then.Concat(otherwise ?? []).OfType<TxnOp.Put>().FirstOrDefault(p => p.Lease != 0) is { } put)
        {
            throw new LeaseNotFoundException(put.Lease);
        }
        catch (EtcdException e) when (e.Code == InvalidArgument && e.Message.Contains("too many operations in txn request", StringComparison.Ordinal))
        {
            throw new TooManyTxnOpsException(e.Message, e);
        }
    }

    /// <inheritdoc/>
    public async Task CompactAsync(long revision, CancellationToken cancel = default)
    {
        try
        {
            await _gateway.PostAsync("/v3/kv/compaction", new CompactionRequest(revision), GatewayJson.Default.CompactionRequest, GatewayJson.Default.HeaderResponse, cancel);
        }
        catch (EtcdException e) when (e.Code == OutOfRange && e.Message.Contains("compacted", StringComparison.Ordinal))
        {
            // Compacted already, at or past this revision: the history is as asked.
        }
        catch (EtcdException e) when (e.Code == OutOfRange)
        {
            throw new ArgumentOutOfRangeException(nameof(revision), $"Revision {revision} is in the future ({e.Message}).");
        }
    }

    /// <inheritdoc/>
    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancel = default)
    {
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), "A lease needs a positive TTL.");
        var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
        var answer = await _gateway.PostAsync("/v3/lease/grant", new LeaseGrantRequest(seconds), GatewayJson.Default.LeaseGrantRequest, GatewayJson.Default.LeaseGrantResponse, cancel);
        if (!string.IsNullOrEmpty(answer.Error) || answer.Id == 0)
            throw new EtcdException($"etcd granted no lease: {answer.Error}");
        _ttls[answer.Id] = TimeSpan.FromSeconds(answer.Ttl > 0 ? answer.Ttl : seconds);
        return answer.Id;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Each member has a third of the lease's TTL (a lease this store granted) to answer, so a member that stops
    /// answering hands the keepalive to the next while the lease still stands.
    /// </remarks>
    public async Task KeepAliveAsync(long lease, CancellationToken cancel = default)
    {
        var attempt = _ttls.TryGetValue(lease, out var ttl) && ttl / 3 < _options.RequestTimeout ? ttl / 3 : _options.RequestTimeout;
        var answer = await _gateway.PostAsync("/v3/lease/keepalive", new LeaseRequest(lease), GatewayJson.Default.LeaseRequest, GatewayJson.Default.LeaseKeepAliveLine, cancel, attempt);
        if (answer.Error is { } error)
            throw new EtcdException($"etcd refused the keepalive of lease {lease:x}: {error.Message}", error.GrpcCode);
        if (answer.Result is not { Ttl: > 0 })
        {
            _ttls.TryRemove(lease, out _);
            throw new LeaseNotFoundException(lease);
        }
    }

    /// <inheritdoc/>
    public async Task RevokeAsync(long lease, CancellationToken cancel = default)
    {
        _ttls.TryRemove(lease, out _);
        try
        {
            await _gateway.PostAsync("/v3/lease/revoke", new LeaseRequest(lease), GatewayJson.Default.LeaseRequest, GatewayJson.Default.HeaderResponse, cancel);
        }
        catch (EtcdException e) when (e.Code == NotFound)
        {
            throw new LeaseNotFoundException(lease);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _disposed.Token);
        var (key, end) = KeyRange.Prefix(prefix);
        var next = fromRevision;
        while (!_disposed.IsCancellationRequested)
        {
            var token = _gateway.Token;
            var request = new Wire.WatchRequest { CreateRequest = new() { Key = ByteString.CopyFrom(key), RangeEnd = ByteString.CopyFrom(end), StartRevision = next } };
            using var response = await OpenWatchAsync(request, linked.Token);
            if (response is null)
                yield break;
            using var messages = new GrpcMessages(await response.Content.ReadAsStreamAsync(linked.Token), WatchCall);
            while (await ReadWatchAsync(messages, linked.Token) is { } answer)
            {
                if (answer.CompactRevision > 0)
                    throw new CompactedException(answer.CompactRevision);
                if (answer.Canceled)
                {
                    if (!answer.CancelReason.Contains("auth token", StringComparison.Ordinal))
                        throw new EtcdException($"etcd cancelled the watch of '{prefix}': {answer.CancelReason}");
                    _gateway.ForgetToken(token);
                    break;
                }
                foreach (var e in answer.Events)
                {
                    var change = ToWatchEvent(e);
                    next = change.Revision + 1;
                    yield return change;
                }
            }
            if (messages.Ended && EtcdGateway.GrpcStatus(response.TrailingHeaders) is { } status)
            {
                if (status.Code != Unauthenticated && status.Code != Unavailable)
                    throw new EtcdException($"etcd ended the watch of '{prefix}': {status.Message}", status.Code);
                if (status.Code == Unauthenticated)
                    _gateway.ForgetToken(token);
            }
            if (_disposed.IsCancellationRequested)
                yield break;
            await Task.Delay(Reconnect, cancel);
        }
    }

    /// <summary>Ends every watch and closes the connections.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        _gateway.Dispose();
        _disposed.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<RangeResult> ReadAsync(RangeRequest request, CancellationToken cancel)
    {
        var answer = await _gateway.PostAsync("/v3/kv/range", request, GatewayJson.Default.RangeRequest, GatewayJson.Default.RangeResponse, cancel);
        return new RangeResult([.. (answer.Kvs ?? []).Select(ToKeyValue)], answer.Header.Revision);
    }

    /// <summary>Opens the watch stream, or null when the store was disposed meanwhile.</summary>
    private async Task<HttpResponseMessage?> OpenWatchAsync(Wire.WatchRequest request, CancellationToken cancel)
    {
        try
        {
            return await _gateway.OpenGrpcStreamAsync(WatchCall, request, cancel);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The next answer of a watch stream, or null when the stream ended or broke (the caller resumes it).</summary>
    private async Task<Wire.WatchResponse?> ReadWatchAsync(GrpcMessages messages, CancellationToken cancel)
    {
        try
        {
            return await messages.ReadAsync(Wire.WatchResponse.Parser, cancel);
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException or ObjectDisposedException && _disposed.IsCancellationRequested))
        {
            return null;
        }
    }

    private static WatchEvent ToWatchEvent(Wire.Event e)
    {
        var kv = e.Kv ?? throw new EtcdException("etcd sent a watch event without its key and value.");
        var item = new KeyValue(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);
        return new WatchEvent(e.Type == Wire.Event.Types.EventType.Delete ? WatchEventType.Delete : WatchEventType.Put, item, item.ModRevision);
    }

    private static KeyValue ToKeyValue(GatewayKeyValue kv) =>
        new(Encoding.UTF8.GetString(kv.Key), kv.Value is null ? "" : Encoding.UTF8.GetString(kv.Value), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    private static CompareRequest ToGateway(Compare c) => c.Target == CompareTarget.ModRevision
        ? new CompareRequest(Bytes(c.Key), "MOD", 0, c.Revision)
        : new CompareRequest(Bytes(c.Key), "CREATE", c.Revision, 0);

    private static RequestOp ToGateway(TxnOp op) => op switch
    {
        TxnOp.Put put => new RequestOp(RequestPut: new PutRequest(Bytes(put.Key), Bytes(put.Value), put.Lease)),
        TxnOp.Delete delete => new RequestOp(RequestDeleteRange: new DeleteRangeRequest(Bytes(delete.Key))),
        _ => throw new ArgumentException($"Unknown transaction operation {op.GetType().Name}.", nameof(op)),
    };

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
