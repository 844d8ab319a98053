using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.Node.ClusterAccess;
using PdCluster.Node.Configuration;
using PdCluster.VSwitch.Store;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PdCluster.Node.Commands;

/// <summary>
/// How a cluster command reaches the store: through a running node's admin endpoint (<c>--endpoint</c>, the default),
/// or straight to etcd with no node running, as <c>--etcd</c> and its TLS and auth options say, or as a node
/// configuration with store etcd says (<c>--config</c>). The commands only see <see cref="IClusterCatalog"/>.
/// </summary>
internal sealed class ClusterOptions
{
    private static readonly string DefaultCluster = new NodeConfig().Cluster;

    /// <summary>etcd's gRPC code for a request its user's role does not allow, or one with no user while auth is on.</summary>
    private const int PermissionDenied = 7;

    private readonly Option<Uri> _endpoint = CommonOptions.Endpoint();
    private readonly Option<string?> _etcd = new("--etcd") { HelpName = "URL[,URL...]", Description = "etcd members' client URLs joined by ',' (e.g. https://198.19.0.101:2379,https://198.19.0.102:2379): read and write the cluster's store in etcd itself, no node needed." };
    private readonly Option<string?> _ca = new("--etcd-ca") { HelpName = "FILE", Description = "With --etcd: PEM file of the CA that signed the members' certificates (default: the system's trust)." };
    private readonly Option<string?> _cert = new("--etcd-cert") { HelpName = "FILE", Description = "With --etcd: PEM client certificate, for etcd's --client-cert-auth (with --etcd-key)." };
    private readonly Option<string?> _key = new("--etcd-key") { HelpName = "FILE", Description = "With --etcd: the client certificate's PEM private key." };
    private readonly Option<string?> _user = new("--etcd-user") { HelpName = "NAME", Description = "With --etcd: the etcd user (with --etcd-password-file)." };
    private readonly Option<string?> _passwordFile = new("--etcd-password-file") { HelpName = "FILE", Description = "With --etcd: a file whose first line is the user's password." };
    private readonly Option<string?> _cluster = new("--cluster") { HelpName = "NAME", Description = $"With --etcd: the cluster's name; its keys live under /pd/NAME/ (default: {DefaultCluster})." };
    private readonly Option<FileInfo?> _config = new("--config") { HelpName = "FILE", Description = "A node configuration with store etcd: reach etcd as that node does (its cluster, endpoints, TLS files and user)." };

    /// <summary>Adds the options to <paramref name="command"/>, and refuses a command line that names the store two ways.</summary>
    public ClusterOptions(Command command)
    {
        foreach (var option in new Option[] { _endpoint, _etcd, _ca, _cert, _key, _user, _passwordFile, _cluster, _config })
            command.Options.Add(option);
        command.Validators.Add(Validate);
    }

    /// <summary>
    /// Runs <paramref name="command"/> against the store the options name: an unreachable store is exit code 1, a
    /// refused request exit code 2 (as is a bad option value, through <see cref="ConfigException"/>).
    /// </summary>
    public Task<int> RunAsync(ParseResult result, Func<IClusterCatalog, Task<int>> command) => RunAsync(result, (catalog, _, _) => command(catalog));

    /// <summary>
    /// Runs <paramref name="command"/> on the VM switch's records: through the node's admin endpoint, or on the store
    /// itself with <c>--etcd</c> or <c>--config</c>; a refused change is exit code 2, as for <see cref="RunAsync(ParseResult, Func{IClusterCatalog, Task{int}})"/>.
    /// </summary>
    public Task<int> RunOnSwitchesAsync(ParseResult result, Func<IVSwitchCatalog, Task<int>> command) =>
        RunAsync(result, (catalog, store, cluster) => command(store is null ? new AdminVSwitchCatalog((AdminCatalog)catalog) : new VSwitchCatalog(store, cluster!)));

    private async Task<int> RunAsync(ParseResult result, Func<IClusterCatalog, IClusterStore?, string?, Task<int>> command)
    {
        var etcd = Etcd(result);
        await using var store = etcd is null ? null : new EtcdStore(etcd.Value.Options);
        var catalog = store is null ? (IClusterCatalog)new AdminCatalog(result.GetValue(_endpoint)!) : new StoreCatalog(store, etcd!.Value.Cluster);
        try
        {
            var exit = await command(catalog, store, etcd?.Cluster);
            // Checked once the command worked: a slip in --cluster reads as an empty cluster, and says so.
            if (exit == 0 && store is not null && (await store.SummarizeAsync($"/pd/{etcd!.Value.Cluster}/")).Count == 0)
                CommonOptions.Warn($"etcd holds no key under /pd/{etcd.Value.Cluster}/: no node of cluster '{etcd.Value.Cluster}' has used it; --cluster names the nodes' \"cluster\" (default {DefaultCluster}).");
            return exit;
        }
        catch (ClusterUnavailableException e)
        {
            return CommonOptions.Failure(e.Message);
        }
        catch (ClusterRefusedException e)
        {
            return CommonOptions.Fail(e.Message);
        }
        catch (VSwitchRefusedException e)
        {
            return CommonOptions.Fail(e.Message);
        }
        catch (EtcdUnavailableException e)
        {
            return CommonOptions.Failure(e.Message.ReplaceLineEndings(" "));
        }
        catch (EtcdException e)
        {
            // With auth on, etcd names the user from the password, not from a certificate without a Common Name.
            var hint = e.Code == PermissionDenied && etcd!.Value.Options.User is null ? "; no etcd user was given: --etcd-user and --etcd-password-file, or the configuration's etcd.user and passwordFile" : "";
            return CommonOptions.Failure($"{e.Message.ReplaceLineEndings(" ")} (etcd at {string.Join(", ", etcd!.Value.Options.Endpoints)}){hint}");
        }
        catch (JsonException e)
        {
            return CommonOptions.Failure($"{catalog.Name} holds a record that is not pd's JSON: {e.Message}");
        }
    }

    /// <summary>
    /// A command that reads the cluster and prints what it read as a table, or as JSON with <c>-o json</c>; a read
    /// that finds nothing (null) is bad input, with <paramref name="missing"/>'s message.
    /// </summary>
    public static Command Reading<T>(string name, string description, Func<IClusterCatalog, ParseResult, CancellationToken, Task<T?>> read,
        JsonTypeInfo<T> json, Func<T, IRenderable> table, Argument? argument = null, Func<ParseResult, string>? missing = null) where T : class
    {
        var command = new Command(name, description);
        if (argument is not null)
            command.Arguments.Add(argument);
        var store = new ClusterOptions(command);
        var output = CommonOptions.Output();
        command.Options.Add(output);
        command.SetAction((result, cancel) => store.RunAsync(result, async catalog =>
        {
            if (await read(catalog, result, cancel) is not { } value)
                return CommonOptions.Fail(missing?.Invoke(result) ?? "nothing found.");
            if (result.GetValue(output) == "json")
                Console.WriteLine(JsonSerializer.Serialize(value, json));
            else
                TableOutput.Write(AnsiConsole.Console, table(value));
            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>The cluster and etcd the options name, checked (a bad value is a <see cref="ConfigException"/> naming the option), or null for the admin endpoint.</summary>
    private (string Cluster, EtcdOptions Options)? Etcd(ParseResult result)
    {
        if (result.GetValue(_config) is { } config)
            return NodeConfigLoader.LoadStore(config.FullName);
        if (result.GetValue(_etcd) is not { } endpoints)
            return null;
        var cluster = result.GetValue(_cluster) ?? DefaultCluster;
        if (!NodeConfigLoader.IsClusterName(cluster))
            throw new ConfigException($"--cluster: '{cluster}' is not a cluster name (some text, no '/').");
        var settings = new EtcdConfig
        {
            Endpoints = [.. endpoints.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            CaFile = result.GetValue(_ca),
            CertFile = result.GetValue(_cert),
            KeyFile = result.GetValue(_key),
            User = result.GetValue(_user),
            PasswordFile = result.GetValue(_passwordFile),
        };
        return (cluster, EtcdSettings.Check(settings, Environment.CurrentDirectory, EtcdSettingSource.CommandLine));
    }

    /// <summary>The store is named one way: the admin endpoint, --etcd (with its options) or --config.</summary>
    private void Validate(CommandResult result)
    {
        bool Given(Option option) => result.GetResult(option) is { Implicit: false };
        var withEtcd = new Option[] { _ca, _cert, _key, _user, _passwordFile, _cluster }.Where(Given).Select(o => o.Name).ToList();
        if (Given(_config) && (Given(_endpoint) || Given(_etcd) || withEtcd.Count > 0))
            result.AddError($"--config: names the store on its own; leave out {string.Join(", ", new Option[] { _endpoint, _etcd }.Where(Given).Select(o => o.Name).Concat(withEtcd))}.");
        else if (Given(_etcd) && Given(_endpoint))
            result.AddError("--etcd: reaches etcd itself, --endpoint a node's admin endpoint; give one of them.");
        else if (!Given(_etcd) && withEtcd.Count > 0)
            result.AddError($"{string.Join(", ", withEtcd)}: {(withEtcd.Count == 1 ? "goes" : "go")} with --etcd.");
    }
}
