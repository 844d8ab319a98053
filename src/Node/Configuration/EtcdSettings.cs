using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PdCluster.Cluster.Etcd;

namespace PdCluster.Node.Configuration;

/// <summary>Checks a configuration's <c>etcd</c> section and turns it into <see cref="EtcdOptions"/>; every error names the key.</summary>
internal static class EtcdSettings
{
    /// <summary>The options for <c>"store": "etcd"</c>, or null for the memory store (which must have no <c>etcd</c> section).</summary>
    public static EtcdOptions? Check(NodeConfig config, string source, string? directory)
    {
        if (config.Store != "etcd")
        {
            if (config.Etcd is not null)
                throw NodeConfigLoader.Fail(source, "etcd", $"is for store etcd only (this node's store is '{config.Store}').");
            return null;
        }
        if (config.Etcd is not { } etcd)
            throw NodeConfigLoader.Fail(source, "etcd", "must say how to reach etcd when the store is etcd, at least its endpoints.");
        if (etcd.Endpoints.Count == 0)
            throw NodeConfigLoader.Fail(source, "etcd.endpoints", "list at least one member's client URL, like https://127.0.0.1:2379.");
        var tls = etcd.CaFile is not null || etcd.CertFile is not null;
        var endpoints = new List<Uri>();
        for (var i = 0; i < etcd.Endpoints.Count; i++)
            endpoints.Add(Endpoint(etcd.Endpoints[i], tls, source, $"etcd.endpoints[{i}]"));
        if ((etcd.CertFile is null) != (etcd.KeyFile is null))
            throw NodeConfigLoader.Fail(source, etcd.CertFile is null ? "etcd.certFile" : "etcd.keyFile", "certFile and keyFile go together (a client certificate and its private key).");
        if ((etcd.User is null) != (etcd.PasswordFile is null))
            throw NodeConfigLoader.Fail(source, etcd.User is null ? "etcd.user" : "etcd.passwordFile", "user and passwordFile go together.");
        if (etcd.User is not null && (string.IsNullOrWhiteSpace(etcd.User) || etcd.User.Any(char.IsControl)))
            throw NodeConfigLoader.Fail(source, "etcd.user", "must name an etcd user.");
        var ca = File(etcd.CaFile, directory, source, "etcd.caFile");
        var cert = File(etcd.CertFile, directory, source, "etcd.certFile");
        var key = File(etcd.KeyFile, directory, source, "etcd.keyFile");
        if (ca is not null)
            CheckCa(ca, source);
        if (cert is not null)
            CheckClientCertificate(cert, key!, source);
        var password = etcd.PasswordFile is null ? null : Password(File(etcd.PasswordFile, directory, source, "etcd.passwordFile")!, source);
        return new EtcdOptions { Endpoints = endpoints, CaFile = ca, CertFile = cert, KeyFile = key, User = etcd.User, Password = password };
    }

    private static Uri Endpoint(string text, bool tls, string source, string key)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw NodeConfigLoader.Fail(source, key, $"'{text}' is not a member's client URL: http:// or https://, a host and a port, nothing after (like https://127.0.0.1:2379).");
        if (tls && uri.Scheme != "https")
            throw NodeConfigLoader.Fail(source, key, $"'{text}' must be https:// since caFile or certFile is set.");
        return uri;
    }

    /// <summary>The file a key names, relative to the configuration; it must exist.</summary>
    private static string? File(string? path, string? directory, string source, string key)
    {
        if (path is null)
            return null;
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl))
            throw NodeConfigLoader.Fail(source, key, "must name a file (relative to this configuration file).");
        var full = NodeConfigLoader.Relative(directory, path);
        if (!System.IO.File.Exists(full))
            throw NodeConfigLoader.Fail(source, key, $"'{full}' does not exist or is not a file.");
        return full;
    }

    private static void CheckCa(string path, string source)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw NodeConfigLoader.Fail(source, "etcd.caFile", $"cannot read CA certificates from '{path}': {e.Message}");
        }
        if (authorities.Count == 0)
            throw NodeConfigLoader.Fail(source, "etcd.caFile", $"'{path}' holds no PEM certificate.");
    }

    private static void CheckClientCertificate(string cert, string key, string source)
    {
        try
        {
            X509Certificate2.CreateFromPemFile(cert, key).Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw NodeConfigLoader.Fail(source, "etcd.certFile", $"cannot load the client certificate '{cert}' with the key '{key}': {e.Message}");
        }
    }

    private static string Password(string path, string source)
    {
        var text = NodeConfigLoader.ReadReferenced(source, "etcd.passwordFile", path);
        var line = text.Split('\n')[0].TrimEnd('\r');
        if (line.Length == 0)
            throw NodeConfigLoader.Fail(source, "etcd.passwordFile", $"'{path}' is empty; its first line is the password.");
        return line;
    }
}
