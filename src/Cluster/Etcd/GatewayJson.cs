using System.Text.Json.Serialization;

namespace PdCluster.Cluster.Etcd;

// The shapes of etcd's v3 JSON gateway (grpc-gateway over the etcdserverpb messages): snake_case names, 64-bit numbers
// as strings, bytes as base64, fields at their default left out.

internal sealed record ResponseHeader(long Revision);

internal sealed record GatewayKeyValue(byte[] Key, byte[]? Value, long CreateRevision, long ModRevision, long Version, long Lease);

internal sealed record RangeRequest(byte[] Key, byte[]? RangeEnd = null, long Limit = 0, string? SortOrder = null, string? SortTarget = null, bool KeysOnly = false);

internal sealed record RangeResponse(ResponseHeader Header, List<GatewayKeyValue>? Kvs, long Count = 0);

internal sealed record PutRequest(byte[] Key, byte[] Value, long Lease = 0);

internal sealed record DeleteRangeRequest(byte[] Key);

internal sealed record HeaderResponse(ResponseHeader Header);

internal sealed record CompareRequest(byte[] Key, string Target, long CreateRevision, long ModRevision, string Result = "EQUAL");

internal sealed record RequestOp(PutRequest? RequestPut = null, DeleteRangeRequest? RequestDeleteRange = null);

internal sealed record TxnRequest(List<CompareRequest> Compare, List<RequestOp> Success, List<RequestOp> Failure);

internal sealed record TxnResponse(ResponseHeader Header, bool Succeeded);

internal sealed record CompactionRequest(long Revision, bool Physical = true);

internal sealed record LeaseGrantRequest([property: JsonPropertyName("TTL")] long Ttl);

internal sealed record LeaseGrantResponse([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl, string? Error);

internal sealed record LeaseRequest([property: JsonPropertyName("ID")] long Id);

internal sealed record LeaseKeepAliveResult([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl);

internal sealed record LeaseKeepAliveLine(LeaseKeepAliveResult? Result, StreamError? Error);

internal sealed record AuthenticateRequest(string Name, string Password);

internal sealed record AuthenticateResponse(string Token);

/// <summary>The error a unary call answers with (an HTTP error status and this body).</summary>
internal sealed record GatewayError(string? Message, int Code);

/// <summary>The error a streamed call ends with.</summary>
internal sealed record StreamError(int GrpcCode, string? Message);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RangeRequest))]
[JsonSerializable(typeof(RangeResponse))]
[JsonSerializable(typeof(PutRequest))]
[JsonSerializable(typeof(DeleteRangeRequest))]
[JsonSerializable(typeof(HeaderResponse))]
[JsonSerializable(typeof(TxnRequest))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(CompactionRequest))]
[JsonSerializable(typeof(LeaseGrantRequest))]
[JsonSerializable(typeof(LeaseGrantResponse))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(LeaseKeepAliveLine))]
[JsonSerializable(typeof(AuthenticateRequest))]
[JsonSerializable(typeof(AuthenticateResponse))]
[JsonSerializable(typeof(GatewayError))]
internal sealed partial class GatewayJson : JsonSerializerContext;
