namespace PdCluster.Cluster.Etcd;

/// <summary>No etcd member answered (every endpoint refused, timed out or failed the TLS handshake), or the member a write reached did not confirm it.</summary>
public sealed class EtcdUnavailableException(string message, Exception? inner) : EtcdException(message, 14, inner);
