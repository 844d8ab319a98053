namespace PdCluster.Node.Configuration;

/// <summary>How a node reaches etcd (<c>"store": "etcd"</c>): member endpoints, TLS files and a user; file paths are relative to the configuration file.</summary>
public sealed class EtcdConfig
{
    /// <summary>The members' client URLs, e.g. https://127.0.0.1:2379; a member that does not answer hands over to the next.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>PEM file of the CA that signed the members' certificates (absent: the system's trust).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM file of the node's client certificate, for etcd's --client-cert-auth.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM file of the client certificate's private key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The etcd user the node authenticates as (absent: etcd runs without auth).</summary>
    public string? User { get; set; }

    /// <summary>File holding the user's password (its first line), kept out of the configuration itself.</summary>
    public string? PasswordFile { get; set; }
}
