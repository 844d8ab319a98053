using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.DataPath;
using PdCluster.Queues.Classification;

namespace PdCluster.Node.Configuration;

/// <summary>A node's configuration file (<c>cluster-config/node.json</c>); <see cref="NodeConfigLoader"/> reads and checks it.</summary>
public sealed class NodeConfig
{
    /// <summary>The node's name in the cluster.</summary>
    public string Node { get; set; } = "node-1";

    /// <summary>The cluster's name: its keys live under <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Cluster { get; set; } = "lab";

    /// <summary>The control-plane store: "memory" (one host, in this process).</summary>
    public string Store { get; set; } = "memory";

    /// <summary>The admin endpoint.</summary>
    public AdminConfig Admin { get; set; } = new();

    /// <summary>Filter file, relative to this file; absent means the embedded default-filters.json.</summary>
    public string? Filters { get; set; }

    /// <summary>PD requirements file, relative to this file; absent means the embedded pd-requirements.json.</summary>
    public string? Requirements { get; set; }

    /// <summary>The adapters this node runs PD on.</summary>
    public List<AdapterConfig> Adapters { get; set; } = [];
}

/// <summary>Where the admin endpoint listens (loopback only).</summary>
public sealed class AdminConfig
{
    /// <summary>host:port on loopback, e.g. 127.0.0.1:9470.</summary>
    public string Listen { get; set; } = "127.0.0.1:9470";
}

/// <summary>One adapter of the node.</summary>
public sealed class AdapterConfig
{
    /// <summary>The adapter's name (unique on the node).</summary>
    public string Name { get; set; } = "";

    /// <summary>Which provider runs it, by name (<see cref="Provider.PdProviderRegistry"/>): "simulated" today.</summary>
    public string Provider { get; set; } = "simulated";

    /// <summary>Whether PacketDirect is enabled on it (what <c>pd adapter enable-pd / disable-pd</c> change).</summary>
    public bool Pd { get; set; } = true;

    /// <summary>Queue pairs (1 to the adapter's maximum).</summary>
    public int Queues { get; set; } = 2;

    /// <summary>Ring slots per queue, a power of two.</summary>
    public int QueueSize { get; set; } = 1024;

    /// <summary>Most packets a queue takes from its ring and runs through the pipeline per duty cycle.</summary>
    public int Burst { get; set; } = PdForwarder.DefaultBurstSize;

    /// <summary>Buffers in the adapter's pool.</summary>
    public int Buffers { get; set; } = 8192;

    /// <summary>Queue threads sleep on PD's drain notification when idle instead of backing off.</summary>
    public bool DrainNotification { get; set; }

    /// <summary>Queues hand frames that are not IP (ARP, LLDP) back to the OS path (DPDK's exception path).</summary>
    public bool ExceptionPath { get; set; } = true;

    /// <summary>The simulated adapter and its traffic generator (provider "simulated").</summary>
    public SimulatedConfig? Simulated { get; set; }
}

/// <summary>A simulated ConnectX-3 Pro port and the generator wired to it.</summary>
public sealed class SimulatedConfig
{
    public string Mac { get; set; } = "02:00:00:00:00:02";
    public LinkType LinkType { get; set; } = LinkType.Ethernet;
    public string Pci { get; set; } = "15b3:1007";
    public string Model { get; set; } = "ConnectX-3 Pro";
    public string Firmware { get; set; } = "2.36.5150";
    public string Driver { get; set; } = "5.25";
    public GeneratorConfig? Generator { get; set; }
}

/// <summary>The traffic generator on the far end of a simulated adapter's wire.</summary>
public sealed class GeneratorConfig
{
    /// <summary>Packets per second; 0 is as fast as it goes.</summary>
    public long Rate { get; set; } = 200_000;

    /// <summary>Flows, sent round-robin.</summary>
    public List<FlowConfig> Flows { get; set; } = [];
}

/// <summary>One generated flow.</summary>
public sealed class FlowConfig
{
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string Protocol { get; set; } = "udp";
    public ushort SourcePort { get; set; }
    public ushort DestinationPort { get; set; }
    public int FrameSize { get; set; } = 60;
    public ushort? Vlan { get; set; }
}

/// <summary>A configuration that is checked and complete: its filters and requirements loaded.</summary>
public sealed record LoadedConfig(NodeConfig Config, string Source, IReadOnlyList<FilterSpec> Filters, PdRequirements Requirements, IPEndPoint AdminEndpoint);

/// <summary>A configuration file is wrong: the message names the file, the key and the problem.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>Source-generated JSON for the node configuration.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeConfig))]
internal sealed partial class NodeConfigJson : JsonSerializerContext;
