namespace PdCluster.Cluster.Etcd;

/// <summary>etcd refused a request; <see cref="Code"/> is its gRPC status code.</summary>
public class EtcdException(string message, int code = 0, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The gRPC status code etcd answered with (5 not found, 11 out of range, 16 unauthenticated, ...).</summary>
    public int Code { get; } = code;
}
