namespace PdCluster.Cluster.Etcd;

/// <summary>No etcd member answered: every endpoint refused, timed out or failed the TLS handshake.</summary>
public sealed class EtcdUnavailableException(string message, Exception? inner) : EtcdException(message, 14, inner);
