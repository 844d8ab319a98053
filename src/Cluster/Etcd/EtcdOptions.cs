using System.Text;

namespace PdCluster.Cluster.Etcd;

/// <summary>Where etcd is and how to reach it: member endpoints (tried in turn), TLS files and a user for token auth.</summary>
public sealed record EtcdOptions
{
    /// <summary>The members' client URLs (http:// or https://); a failed member hands over to the next.</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>The user to authenticate as, or null when etcd runs without auth.</summary>
    public string? User { get; init; }

    /// <summary>The user's password.</summary>
    public string? Password { get; init; }

    /// <summary>PEM file of the CA that signed the members' certificates, or null to use the system's trust.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM file of this client's certificate, when etcd asks for one.</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM file of the client certificate's private key.</summary>
    public string? KeyFile { get; init; }

    /// <summary>How long one member may take to accept a connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one member may take to answer one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every setting but the password, which is shown only as set or not, so options can be logged.</summary>
    private bool PrintMembers(StringBuilder text)
    {
        text.Append($"Endpoints = [{string.Join(", ", Endpoints)}], User = {User}, Password = {(Password is null ? "" : "(set)")}, ");
        text.Append($"CaFile = {CaFile}, CertFile = {CertFile}, KeyFile = {KeyFile}, ConnectTimeout = {ConnectTimeout}, RequestTimeout = {RequestTimeout}");
        return true;
    }
}
