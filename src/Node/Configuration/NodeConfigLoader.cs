using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Queues.Classification;

namespace PdCluster.Node.Configuration;

/// <summary>
/// Finds, reads and checks a node configuration. Without <c>--config</c> it uses <c>cluster-config/node.json</c>
/// under the current directory if there is one, else the embedded default. Every error names the file and key.
/// </summary>
public static class NodeConfigLoader
{
    /// <summary>The configuration file used when none is named, relative to the current directory.</summary>
    public const string DefaultPath = "cluster-config/node.json";

    /// <summary>The file a command should read or edit: the one named, else <see cref="DefaultPath"/> if it exists, else null (embedded).</summary>
    public static string? Resolve(string? path) => path ?? (File.Exists(DefaultPath) ? Path.GetFullPath(DefaultPath) : null);

    /// <summary>Loads and checks the configuration at <paramref name="path"/> (null: the embedded default).</summary>
    public static LoadedConfig Load(string? path)
    {
        var source = path ?? "embedded node.json";
        string json;
        try
        {
            json = path is null ? Embedded("node.json") : File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ConfigException($"{source}: {e.Message}");
        }
        NodeConfig config;
        try
        {
            config = JsonSerializer.Deserialize(json, NodeConfigJson.Default.NodeConfig) ?? throw new ConfigException($"{source}: the file is empty.");
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source}: {e.Message}");
        }
        var directory = path is null ? null : Path.GetDirectoryName(Path.GetFullPath(path));
        return Check(config, source, directory);
    }

    private static LoadedConfig Check(NodeConfig config, string source, string? directory)
    {
        var endpoint = CheckNode(config, source);
        var names = new HashSet<string>();
        for (var i = 0; i < config.Adapters.Count; i++)
            CheckAdapter(config.Adapters[i], $"adapters[{i}]", names, source);
        var filters = LoadFilters(config, source, directory);
        return new LoadedConfig(config, source, filters, LoadRequirements(config, source, directory), endpoint);
    }

    private static ConfigException Fail(string source, string key, string problem) => new($"{source}: {key}: {problem}");

    /// <summary>The node's identity, store and admin endpoint.</summary>
    private static IPEndPoint CheckNode(NodeConfig config, string source)
    {
        if (string.IsNullOrWhiteSpace(config.Node) || config.Node.Contains('/'))
            throw Fail(source, "node", "must name the node (no '/').");
        if (string.IsNullOrWhiteSpace(config.Cluster) || config.Cluster.Contains('/'))
            throw Fail(source, "cluster", "must name the cluster (no '/').");
        if (config.Store != "memory")
            throw Fail(source, "store", $"'{config.Store}' is not a store this node has (known: memory).");
        if (!TryLoopback(config.Admin.Listen, out var endpoint))
            throw Fail(source, "admin.listen", $"'{config.Admin.Listen}' must be a loopback host:port such as 127.0.0.1:9470 (the admin endpoint never listens elsewhere).");
        if (config.Adapters.Count == 0)
            throw Fail(source, "adapters", "list at least one adapter.");
        return endpoint!;
    }

    /// <summary>One adapter: its name, provider, queue geometry and, for a simulated one, its port and generator.</summary>
    private static void CheckAdapter(AdapterConfig a, string key, HashSet<string> names, string source)
    {
        if (string.IsNullOrWhiteSpace(a.Name) || a.Name.Contains('/'))
            throw Fail(source, $"{key}.name", "must be a non-empty name without '/'.");
        if (!names.Add(a.Name))
            throw Fail(source, $"{key}.name", $"'{a.Name}' appears twice.");
        if (PdProviderRegistry.Default.Find(a.Provider) is null)
            throw Fail(source, $"{key}.provider", $"'{a.Provider}' is not a provider this node has (known: {string.Join(", ", PdProviderRegistry.Default.Names)}).");
        if (a.Queues is < 1 or > 16)
            throw Fail(source, $"{key}.queues", $"must be between 1 and 16 (got {a.Queues}).");
        if (a.QueueSize < 2 || !int.IsPow2(a.QueueSize) || a.QueueSize > 8192)
            throw Fail(source, $"{key}.queueSize", $"must be a power of two from 2 to 8192 (got {a.QueueSize}).");
        if (a.Burst < 1 || a.Burst > 256 || a.Burst > a.QueueSize / 2)
            throw Fail(source, $"{key}.burst", $"must be between 1 and 256 and at most half of queueSize ({a.QueueSize / 2}) (got {a.Burst}).");
        if (a.Buffers < 2 * a.Queues * a.QueueSize)
            throw Fail(source, $"{key}.buffers", $"must be at least 2 × queues × queueSize = {2 * a.Queues * a.QueueSize} (got {a.Buffers}).");
        try
        {
            AdapterOptions.Simulated(a);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw Fail(source, $"{key}.simulated", e.Message);
        }
        var flows = a.Simulated?.Generator?.Flows ?? [];
        for (var f = 0; f < flows.Count; f++)
            CheckFlow(flows[f], $"{key}.simulated.generator.flows[{f}]", source);
    }

    private static void CheckFlow(FlowConfig flow, string key, string source)
    {
        if (!IPAddress.TryParse(flow.Source, out var from) || !IPAddress.TryParse(flow.Destination, out var to))
            throw Fail(source, key, "source and destination must be IP addresses.");
        if (flow.Protocol is not ("tcp" or "udp" or "icmp" or "arp"))
            throw Fail(source, $"{key}.protocol", $"'{flow.Protocol}' must be tcp, udp, icmp or arp.");
        if (flow.Protocol == "arp" && (from.AddressFamily != AddressFamily.InterNetwork || to.AddressFamily != AddressFamily.InterNetwork))
            throw Fail(source, key, "an arp flow asks for an IPv4 address from an IPv4 address.");
        if (flow.FrameSize is < 60 or > 1514)
            throw Fail(source, $"{key}.frameSize", $"must be between 60 and 1514 (got {flow.FrameSize}).");
    }

    /// <summary>The filter file (or the embedded default), checked against the adapters' queues.</summary>
    private static IReadOnlyList<FilterSpec> LoadFilters(NodeConfig config, string source, string? directory)
    {
        IReadOnlyList<FilterSpec> filters;
        try
        {
            filters = config.Filters is null || directory is null && config.Filters == "default-filters.json"
                ? FilterSpec.ReadList(Embedded("default-filters.json"), "embedded default-filters.json")
                : FilterSpec.ReadList(File.ReadAllText(Relative(directory, config.Filters)), Relative(directory, config.Filters));
        }
        catch (Exception e) when (e is FilterSpecException or IOException)
        {
            throw new ConfigException($"{source}: filters: {e.Message}");
        }
        var fewest = config.Adapters.Min(a => a.Queues);
        foreach (var f in filters.Where(f => f.Queue is not null))
        {
            if (f.Queue < 0 || f.Queue >= fewest)
                throw Fail(source, "filters", $"filter '{f.Id}' steers to queue {f.Queue}, but an adapter has only queues 0..{fewest - 1}.");
        }
        return filters;
    }

    private static PdRequirements LoadRequirements(NodeConfig config, string source, string? directory)
    {
        try
        {
            return config.Requirements is null ? PdRequirements.Default : PdRequirements.Load(Relative(directory, config.Requirements));
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ConfigException($"{source}: requirements: {e.Message}");
        }
    }

    private static string Relative(string? directory, string path) => directory is null || Path.IsPathRooted(path) ? path : Path.Combine(directory, path);

    private static bool TryLoopback(string listen, out IPEndPoint? endpoint)
    {
        endpoint = null;
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(listen[(colon + 1)..], out var port))
            return false;
        var host = listen[..colon].Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var a) ? a : null;
        if (address is null || !IPAddress.IsLoopback(address))
            return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    private static string Embedded(string name)
    {
        using var stream = typeof(NodeConfigLoader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
