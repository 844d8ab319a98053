namespace PdCluster.Node.Configuration;

/// <summary>
/// Where etcd settings were given (a configuration file's <c>etcd</c> section, or the cluster commands' options): what
/// each setting is called there and how an error about one reads, so the error names what the user wrote.
/// </summary>
/// <param name="FilesRelativeTo">What a relative file name is read against, as an error says it.</param>
/// <param name="IndexEndpoints">Whether an endpoint's error names its place in the list (<c>endpoints[1]</c>).</param>
/// <param name="Fail">The error for a setting (by the name given here) and its problem.</param>
internal sealed record EtcdSettingSource(string Endpoints, string CaFile, string CertFile, string KeyFile, string User, string PasswordFile,
    string FilesRelativeTo, bool IndexEndpoints, Func<string, string, ConfigException> Fail)
{
    /// <summary>The command line: <c>--etcd</c>, <c>--etcd-ca</c> and the rest; files relative to the current directory.</summary>
    public static readonly EtcdSettingSource CommandLine = new("--etcd", "--etcd-ca", "--etcd-cert", "--etcd-key", "--etcd-user", "--etcd-password-file",
        "the current directory", IndexEndpoints: false, (option, problem) => new ConfigException($"{option}: {problem}"));

    /// <summary>The <c>etcd</c> section of the configuration file <paramref name="source"/>.</summary>
    public static EtcdSettingSource ConfigFile(string source) => new("endpoints", "caFile", "certFile", "keyFile", "user", "passwordFile",
        "this configuration file", IndexEndpoints: true, (key, problem) => NodeConfigLoader.Fail(source, $"etcd.{key}", problem));

    /// <summary>What names endpoint <paramref name="index"/>.</summary>
    public string Endpoint(int index) => IndexEndpoints ? $"{Endpoints}[{index}]" : Endpoints;
}
