using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster.Etcd;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;
using PdCluster.VSwitch;

namespace PdCluster.Node.Configuration;

/// <summary>
/// Finds, reads and checks a node configuration. Without <c>--config</c> it uses <c>cluster-config/node.json</c>
/// under the current directory if there is one, else the embedded default. Every error names the file and key.
/// </summary>
public static class NodeConfigLoader
{
    /// <summary>The configuration file used when none is named, relative to the current directory.</summary>
    public const string DefaultPath = "cluster-config/node.json";

    /// <summary>Most buffers one adapter's pool may have.</summary>
    public const int MaxBuffers = 1 << 20;

    /// <summary>What an adapter name (or label) is, as errors and the README say it: a cluster name.</summary>
    public const string AdapterNameRule = ClusterNames.Rule;

    /// <summary>Fastest a simulated adapter's generator may be asked to send, in packets per second.</summary>
    public const long MaxGeneratorRate = 100_000_000;

    /// <summary>What one pool buffer costs in memory: 2 KiB of data, its cache-line padding and its descriptor.</summary>
    private const long BufferBytes = 2048 + 128;

    /// <summary>The file a command should read or edit: the one named, else <see cref="DefaultPath"/> if it exists, else null (embedded).</summary>
    public static string? Resolve(string? path) => path ?? (File.Exists(DefaultPath) ? Path.GetFullPath(DefaultPath) : null);

    /// <summary>Loads and checks the configuration at <paramref name="path"/> (null: the embedded default).</summary>
    public static LoadedConfig Load(string? path)
    {
        var (config, source, directory) = Read(path);
        return Check(config, source, directory);
    }

    /// <summary>
    /// The cluster and etcd store that the configuration at <paramref name="path"/> names, for the cluster commands: the
    /// whole file must read, and its <c>cluster</c>, <c>store</c> (which must be etcd) and <c>etcd</c> keys are checked
    /// as a node checks them; the adapters are the node's business and are not.
    /// </summary>
    internal static (string Cluster, EtcdOptions Etcd) LoadStore(string path)
    {
        var (config, source, directory) = Read(path);
        CheckCluster(config, source);
        if (config.Store != "etcd")
            throw Fail(source, "store", $"is '{config.Store}', a store inside the node; a cluster command reaches that through the node's admin endpoint (--endpoint), and reads a configuration only for store etcd.");
        return (config.Cluster, EtcdSettings.Check(config, source, directory)!);
    }

    /// <summary>Whether <paramref name="name"/> can name a cluster: its keys live under <c>/pd/&lt;name&gt;/</c>.</summary>
    internal static bool IsClusterName(string name) => !string.IsNullOrWhiteSpace(name) && !name.Contains('/');

    private static (NodeConfig Config, string Source, string? Directory) Read(string? path)
    {
        var source = path ?? "embedded node.json";
        try
        {
            var json = path is null ? Embedded("node.json") : InputFile.ReadAllText(path);
            return (JsonInput.Read(json, NodeConfigJson.Default.NodeConfig, source), source, path is null ? null : Path.GetDirectoryName(Path.GetFullPath(path)));
        }
        catch (InputException e)
        {
            throw new ConfigException(e.Message);
        }
    }

    private static LoadedConfig Check(NodeConfig config, string source, string? directory)
    {
        var endpoint = CheckNode(config, source);
        // Names differing only in case would be one adapter to a reader of metrics or event names.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < config.Adapters.Count; i++)
            CheckAdapter(config.Adapters[i], $"adapters[{i}]", names, source);
        CheckInterfacesOnce(config, source);
        TeamRules.Check(config, source);
        CheckPoolMemory(config, source);
        ClusterItems.Read(config, source);
        var filters = LoadFilters(config, source, directory);
        return new LoadedConfig(config, source, filters, LoadRequirements(config, source, directory), endpoint, EtcdSettings.Check(config, source, directory));
    }

    internal static ConfigException Fail(string source, string key, string problem) => new(InputException.Format(source, key, problem));

    /// <summary>The node's identity, store and admin endpoint.</summary>
    private static IPEndPoint CheckNode(NodeConfig config, string source)
    {
        if (string.IsNullOrWhiteSpace(config.Node) || config.Node.Contains('/'))
            throw Fail(source, "node", "must name the node (no '/').");
        CheckCluster(config, source);
        if (config.LeaseTtl is < 2 or > 3600)
            throw Fail(source, "leaseTtl", $"must be a whole number of seconds from 2 (etcd's shortest lease) to 3600 (got {config.LeaseTtl}).");
        if (!TryLoopback(config.Admin.Listen, out var endpoint))
            throw Fail(source, "admin.listen", $"'{config.Admin.Listen}' must be a loopback host:port such as 127.0.0.1:9470 (the admin endpoint never listens elsewhere; port 0 picks a free one).");
        if (config.Filters is not null && string.IsNullOrWhiteSpace(config.Filters))
            throw Fail(source, "filters", "must name a filter file (leave the key out for the embedded default-filters.json).");
        if (config.Requirements is not null && string.IsNullOrWhiteSpace(config.Requirements))
            throw Fail(source, "requirements", "must name a requirements file (leave the key out for the embedded pd-requirements.json).");
        if (!NamespaceVm.IsNamespacePrefix(config.VmNamespacePrefix))
            throw Fail(source, "vmNamespacePrefix", $"{Quote(config.VmNamespacePrefix)} is not a namespace prefix: {NamespaceVm.NamespacePrefixRule} (a VM's network namespace is this prefix and the VM's name).");
        if (config.Adapters.Count == 0)
            throw Fail(source, "adapters", "list at least one adapter.");
        return endpoint!;
    }

    /// <summary>The cluster's name and its store.</summary>
    private static void CheckCluster(NodeConfig config, string source)
    {
        if (!IsClusterName(config.Cluster))
            throw Fail(source, "cluster", "must name the cluster (no '/').");
        if (config.Store is not ("memory" or "etcd"))
            throw Fail(source, "store", $"'{config.Store}' is not a store this node has (known: memory, etcd).");
    }

    /// <summary>One adapter: its name, provider, queue geometry and, for a simulated one, its port and generator.</summary>
    private static void CheckAdapter(AdapterConfig a, string key, HashSet<string> names, string source)
    {
        if (!IsAdapterName(a.Name))
            throw Fail(source, $"{key}.name", $"{Quote(a.Name)} is not an adapter name: {AdapterNameRule} (it names the adapter in URLs and metric labels).");
        if (!names.Add(a.Name))
            throw Fail(source, $"{key}.name", $"'{a.Name}' appears twice (names that differ only in case count as one).");
        if (PdProviderRegistry.Default.Find(a.Provider) is null)
            throw Fail(source, $"{key}.provider", $"'{a.Provider}' is not a provider this node has (known: {string.Join(", ", PdProviderRegistry.Default.Names)}).");
        if (a.Queues is < 1 or > 16)
            throw Fail(source, $"{key}.queues", $"must be between 1 and 16 (got {a.Queues}).");
        if (a.QueueSize < 2 || !int.IsPow2(a.QueueSize) || a.QueueSize > 8192)
            throw Fail(source, $"{key}.queueSize", $"must be a power of two from 2 to 8192 (got {a.QueueSize}).");
        if (a.ReceiveQueueSize is { } receive && (receive < 2 || !int.IsPow2(receive) || receive > 8192))
            throw Fail(source, $"{key}.receiveQueueSize", $"must be a power of two from 2 to 8192 (got {receive}).");
        if (a.PacedPoll && !a.DrainNotification)
            throw Fail(source, $"{key}.pacedPoll", "needs drainNotification true: a paced queue sleeps on drain notification once traffic stops.");
        if (a.Burst is < 1 or > 256 || a.Burst > a.SmallerQueueSize() / 2)
            throw Fail(source, $"{key}.burst", $"must be between 1 and 256 and at most half of the smaller of queueSize and receiveQueueSize ({a.SmallerQueueSize() / 2}) (got {a.Burst}).");
        // Each queue's share of the pool holds its two rings and the smallest buffer cache, so every queue can post.
        var fewest = QueueActor.FewestBuffers(a.Queues, a.ReceiveQueueSizeInForce(), a.QueueSize);
        if (a.Buffers < fewest || a.Buffers > MaxBuffers)
            throw Fail(source, $"{key}.buffers", a.ReceiveQueueSize is null
                ? $"must be at least 2 × queues × queueSize = {fewest} and at most {MaxBuffers} (got {a.Buffers})."
                : $"must be at least queues × (receiveQueueSize + queueSize) = {fewest} and at most {MaxBuffers} (got {a.Buffers}).");
        for (var i = 0; i < (a.Labels?.Count ?? 0); i++)
        {
            if (!ClusterNames.IsName(a.Labels![i]))
                throw Fail(source, $"{key}.labels[{i}]", $"{Quote(a.Labels[i])} is not a label: {ClusterNames.Rule} (cluster filters pick adapters by it).");
        }
        CheckInterface(a, key, source);
        if (a.Simulated is { } simulated)
        {
            if (a.Provider != "simulated")
                throw Fail(source, $"{key}.simulated", $"is for provider simulated only (this adapter's provider is '{a.Provider}').");
            CheckSimulated(simulated, $"{key}.simulated", source);
        }
    }

    /// <summary>One adapter per Linux interface: a second would fight the first for the interface's XDP slot.</summary>
    private static void CheckInterfacesOnce(NodeConfig config, string source)
    {
        var seen = new Dictionary<(string?, string), int>();
        for (var i = 0; i < config.Adapters.Count; i++)
        {
            if (config.Adapters[i] is not { Interface: { } device } a || !IsLinuxProvider(a.Provider))
                continue;
            if (!seen.TryAdd((a.Namespace, device), i))
                throw Fail(source, $"adapters[{i}].interface", $"'{device}' is already adapters[{seen[(a.Namespace, device)]}]'s interface; one adapter per interface.");
        }
    }

    /// <summary>The providers that run a Linux interface (<c>adapters[].interface</c>).</summary>
    private static bool IsLinuxProvider(string provider) => provider is "afxdp" or "afpacket" or "auto";

    /// <summary>The Linux interface of an afxdp, afpacket or auto adapter: required there, a kernel interface name, and the namespace a plain name.</summary>
    private static void CheckInterface(AdapterConfig a, string key, string source)
    {
        if (!IsLinuxProvider(a.Provider))
        {
            if (a.Interface is not null)
                throw Fail(source, $"{key}.interface", $"is for providers afxdp, afpacket and auto only (this adapter's provider is '{a.Provider}').");
            if (a.Namespace is not null)
                throw Fail(source, $"{key}.namespace", $"is for providers afxdp, afpacket and auto only (this adapter's provider is '{a.Provider}').");
            return;
        }
        if (a.Interface is null)
            throw Fail(source, $"{key}.interface", $"must name the Linux interface for provider {a.Provider} (for example eth1).");
        if (a.Interface.Length is 0 or > 15 || a.Interface.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)) || a.Interface is "." or "..")
            throw Fail(source, $"{key}.interface", $"'{a.Interface}' is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces).");
        if (a.Namespace is not null && (a.Namespace.Length == 0 || a.Namespace.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c)) || a.Namespace is "." or ".."))
            throw Fail(source, $"{key}.namespace", $"'{a.Namespace}' is not a network namespace name as 'ip netns' gives it (no '/' or spaces; leave the key out for the node's own).");
    }

    /// <summary>A simulated port: an address, a device the requirements can judge, and a generator that can send.</summary>
    private static void CheckSimulated(SimulatedConfig s, string key, string source)
    {
        if (!AdapterInfo.TryParseMac(s.Mac, out var mac))
            throw Fail(source, $"{key}.mac", $"must be six octets of two hex digits joined by ':', like 02:00:00:00:00:02 (got '{s.Mac}').");
        if ((mac >> 40 & 1) != 0 || mac == 0)
            throw Fail(source, $"{key}.mac", $"must be a unicast address: not all zeros, and the first octet even (got '{s.Mac}').");
        try
        {
            PciId.Parse(s.Pci);
        }
        catch (FormatException e)
        {
            throw Fail(source, $"{key}.pci", e.Message);
        }
        if (string.IsNullOrWhiteSpace(s.Model))
            throw Fail(source, $"{key}.model", "must name the device model.");
        if (!Version.TryParse(s.Firmware, out _))
            throw Fail(source, $"{key}.firmware", $"'{s.Firmware}' is not a version (numbers joined by dots, like 2.36.5150).");
        if (!Version.TryParse(s.Driver, out _))
            throw Fail(source, $"{key}.driver", $"'{s.Driver}' is not a version (numbers joined by dots, like 5.25).");
        if (s.Generator is not { } generator)
            return;
        if (generator.Rate is < 0 or > MaxGeneratorRate)
            throw Fail(source, $"{key}.generator.rate", $"must be between 0 (as fast as it goes) and {MaxGeneratorRate} packets/s (got {generator.Rate}).");
        for (var f = 0; f < generator.Flows.Count; f++)
            CheckFlow(generator.Flows[f], $"{key}.generator.flows[{f}]", source);
    }

    /// <summary>Whether <paramref name="name"/> follows <see cref="AdapterNameRule"/>: safe as a URL path segment, a metric label and a file name.</summary>
    public static bool IsAdapterName(string name) =>
        ClusterNames.IsName(name);

    /// <summary>A name for an error message: quoted, control characters escaped, cut after 40 characters.</summary>
    private static string Quote(string name)
    {
        var shown = string.Concat(name.Take(40).Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
        return name.Length > 40 ? $"'{shown}...' ({name.Length} characters)" : $"'{shown}'";
    }

    private static void CheckFlow(FlowConfig flow, string key, string source)
    {
        if (!IPAddress.TryParse(flow.Source, out var from))
            throw Fail(source, $"{key}.source", $"'{flow.Source}' is not an IP address.");
        if (!IPAddress.TryParse(flow.Destination, out var to))
            throw Fail(source, $"{key}.destination", $"'{flow.Destination}' is not an IP address.");
        if (from.AddressFamily != to.AddressFamily)
            throw Fail(source, $"{key}.destination", $"'{flow.Destination}' is not of the source's address family ('{flow.Source}').");
        if (flow.Protocol is not ("tcp" or "udp" or "icmp" or "arp"))
            throw Fail(source, $"{key}.protocol", $"'{flow.Protocol}' must be tcp, udp, icmp or arp.");
        if (flow.Protocol == "arp" && from.AddressFamily != AddressFamily.InterNetwork)
            throw Fail(source, $"{key}.source", "an arp flow asks for an IPv4 address from an IPv4 address.");
        if (flow.FrameSize is < 60 or > 1514)
            throw Fail(source, $"{key}.frameSize", $"must be between 60 and 1514 (got {flow.FrameSize}).");
        if (flow.Vlan > 4094)
            throw Fail(source, $"{key}.vlan", $"must be a VLAN id from 0 to 4094 (got {flow.Vlan}; 4095 is reserved).");
        if (flow.DestinationMac is { } mac && (!AdapterInfo.TryParseMac(mac, out var destination) || (destination >> 40 & 1) != 0 || destination == 0))
            throw Fail(source, $"{key}.destinationMac", $"{Quote(mac)} is not a unicast MAC address, like 00:15:5d:00:00:01.");
        if (flow.DestinationMac is not null && flow.Protocol == "arp")
            throw Fail(source, $"{key}.destinationMac", "an arp flow is broadcast; it takes no destinationMac.");
    }

    /// <summary>Every pool is allocated at start: together they must leave the machine half its memory.</summary>
    private static void CheckPoolMemory(NodeConfig config, string source)
    {
        var needed = config.Adapters.Sum(a => (long)a.Buffers) * BufferBytes;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (memory > 0 && needed > memory / 2)
            throw Fail(source, "adapters", $"the buffer pools need {needed / (double)(1 << 30):F1} GiB together, more than half of this machine's {memory / (double)(1 << 30):F1} GiB; lower adapters[].buffers.");
    }

    /// <summary>The filter file (or the embedded default), checked against the adapters' queues.</summary>
    private static IReadOnlyList<FilterSpec> LoadFilters(NodeConfig config, string source, string? directory)
    {
        var embedded = config.Filters is null || directory is null && config.Filters == "default-filters.json";
        var file = embedded ? "embedded default-filters.json" : Relative(directory, config.Filters!);
        IReadOnlyList<FilterSpec> filters;
        try
        {
            filters = FilterSpec.ReadList(embedded ? Embedded("default-filters.json") : ReadReferenced(source, "filters", file), file);
        }
        catch (FilterSpecException e)
        {
            throw new ConfigException(e.Message);
        }
        // The filters run on every adapter with PD on; one with PD off is the OS's and runs none of them.
        var fewest = config.Adapters.Where(a => a.Pd).MinBy(a => a.Queues);
        for (var i = 0; fewest is not null && i < filters.Count; i++)
        {
            if (filters[i].Queue is { } queue && queue >= fewest.Queues)
                throw Fail(file, $"[{i}].queue (filter '{filters[i].Id}')", $"steers to queue {queue}, but adapter {fewest.Name} has only queues 0..{fewest.Queues - 1}.");
        }
        return filters;
    }

    private static PdRequirements LoadRequirements(NodeConfig config, string source, string? directory)
    {
        if (config.Requirements is null)
            return PdRequirements.Default;
        var file = Relative(directory, config.Requirements);
        try
        {
            return PdRequirements.Read(ReadReferenced(source, "requirements", file), file);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(e.Message);
        }
    }

    /// <summary>A file the configuration names under <paramref name="key"/>; an error names the configuration, the key and the file.</summary>
    internal static string ReadReferenced(string source, string key, string file)
    {
        try
        {
            return InputFile.ReadAllText(file);
        }
        catch (InputException e)
        {
            throw Fail(source, key, e.Message);
        }
    }

    internal static string Relative(string? directory, string path) => directory is null ? path : Path.GetFullPath(path, directory);

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
