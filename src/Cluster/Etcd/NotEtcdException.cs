namespace PdCluster.Cluster.Etcd;

/// <summary>
/// An endpoint answered, but not as an etcd member does (an HTTP error without etcd's JSON error body, a gRPC call
/// answered without gRPC): it applied nothing, so the request goes on to the next member.
/// </summary>
internal sealed class NotEtcdException(string message) : HttpRequestException(message);
