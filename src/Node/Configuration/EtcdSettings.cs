using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PdCluster.Cluster.Etcd;
using PdCluster.Queues.Input;

namespace PdCluster.Node.Configuration;

/// <summary>Checks etcd settings (a configuration's <c>etcd</c> section, or the cluster commands' options) and turns them into <see cref="EtcdOptions"/>; every error names the key or option.</summary>
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
        return Check(etcd, directory, EtcdSettingSource.ConfigFile(source));
    }

    /// <summary>
    /// Checks etcd settings given in <paramref name="given"/> and turns them into <see cref="EtcdOptions"/>:
    /// the endpoints' URLs, the TLS files (relative to <paramref name="directory"/>) as certificates, the password
    /// file's first line.
    /// </summary>
    public static EtcdOptions Check(EtcdConfig etcd, string? directory, EtcdSettingSource given)
    {
        if (etcd.Endpoints.Count == 0)
            throw given.Fail(given.Endpoints, "list at least one member's client URL, like https://127.0.0.1:2379.");
        var tls = etcd.CaFile is not null || etcd.CertFile is not null;
        var endpoints = new List<Uri>();
        for (var i = 0; i < etcd.Endpoints.Count; i++)
            endpoints.Add(Endpoint(etcd.Endpoints[i], tls, given, given.Endpoint(i)));
        if ((etcd.CertFile is null) != (etcd.KeyFile is null))
            throw given.Fail(etcd.CertFile is null ? given.CertFile : given.KeyFile, $"{given.CertFile} and {given.KeyFile} go together (a client certificate and its private key).");
        if ((etcd.User is null) != (etcd.PasswordFile is null))
            throw given.Fail(etcd.User is null ? given.User : given.PasswordFile, $"{given.User} and {given.PasswordFile} go together.");
        if (etcd.User is not null && (string.IsNullOrWhiteSpace(etcd.User) || etcd.User.Any(char.IsControl)))
            throw given.Fail(given.User, "must name an etcd user.");
        var ca = File(etcd.CaFile, directory, given, given.CaFile);
        var cert = File(etcd.CertFile, directory, given, given.CertFile);
        var key = File(etcd.KeyFile, directory, given, given.KeyFile);
        if (ca is not null)
            CheckCa(ca, given);
        if (cert is not null)
            CheckClientCertificate(cert, key!, given);
        var password = etcd.PasswordFile is null ? null : Password(File(etcd.PasswordFile, directory, given, given.PasswordFile)!, given);
        return new EtcdOptions { Endpoints = endpoints, CaFile = ca, CertFile = cert, KeyFile = key, User = etcd.User, Password = password };
    }

    private static Uri Endpoint(string text, bool tls, EtcdSettingSource given, string key)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw given.Fail(key, $"'{text}' is not a member's client URL: http:// or https://, a host and a port, nothing after (like https://127.0.0.1:2379).");
        if (tls && uri.Scheme != "https")
            throw given.Fail(key, $"'{text}' must be https:// since {given.CaFile} or {given.CertFile} is set.");
        return uri;
    }

    /// <summary>The file a setting names, relative to <paramref name="directory"/>; it must exist.</summary>
    private static string? File(string? path, string? directory, EtcdSettingSource given, string key)
    {
        if (path is null)
            return null;
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl))
            throw given.Fail(key, $"must name a file (relative to {given.FilesRelativeTo}).");
        var full = NodeConfigLoader.Relative(directory, path);
        if (!System.IO.File.Exists(full))
            throw given.Fail(key, $"'{full}' does not exist or is not a file.");
        return full;
    }

    private static void CheckCa(string path, EtcdSettingSource given)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw given.Fail(given.CaFile, $"cannot read CA certificates from '{path}': {e.Message}");
        }
        if (authorities.Count == 0)
            throw given.Fail(given.CaFile, $"'{path}' holds no PEM certificate.");
    }

    private static void CheckClientCertificate(string cert, string key, EtcdSettingSource given)
    {
        try
        {
            X509Certificate2.CreateFromPemFile(cert, key).Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw given.Fail(given.CertFile, $"cannot load the client certificate '{cert}' with the key '{key}': {e.Message}");
        }
    }

    private static string Password(string path, EtcdSettingSource given)
    {
        string text;
        try
        {
            text = InputFile.ReadAllText(path);
        }
        catch (InputException e)
        {
            throw given.Fail(given.PasswordFile, e.Message);
        }
        var line = text.Split('\n')[0].TrimEnd('\r');
        if (line.Length == 0)
            throw given.Fail(given.PasswordFile, $"'{path}' is empty; its first line is the password.");
        return line;
    }
}
