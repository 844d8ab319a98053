namespace PdCluster.Cluster;

/// <summary>The lease expired or never existed.</summary>
public sealed class LeaseNotFoundException(long lease) : InvalidOperationException($"Lease {lease:x} is not found (expired or revoked).")
{
    /// <summary>The lease asked for.</summary>
    public long Lease { get; } = lease;
}
