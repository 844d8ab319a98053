namespace PdCluster.Node.Configuration;

/// <summary>Where the admin endpoint listens (loopback only).</summary>
public sealed class AdminConfig
{
    /// <summary>host:port on loopback, e.g. 127.0.0.1:9470.</summary>
    public string Listen { get; set; } = "127.0.0.1:9470";
}
