namespace PdCluster.Node.Configuration;

/// <summary>A node's configuration file (<c>cluster-config/node.json</c>); <see cref="NodeConfigLoader"/> reads and checks it.</summary>
public sealed class NodeConfig
{
    /// <summary>The node's name in the cluster.</summary>
    public string Node { get; set; } = "node-1";

    /// <summary>The cluster's name: its keys live under <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Cluster { get; set; } = "lab";

    /// <summary>The control-plane store: "memory" (one host, in this process) or "etcd" (see <see cref="Etcd"/>).</summary>
    public string Store { get; set; } = "memory";

    /// <summary>How to reach etcd, when <see cref="Store"/> is "etcd".</summary>
    public EtcdConfig? Etcd { get; set; }

    /// <summary>Seconds the node's membership lease outlives its last keepalive (keepalives go every third of it).</summary>
    public int LeaseTtl { get; set; } = 2;

    /// <summary>The admin endpoint.</summary>
    public AdminConfig Admin { get; set; } = new();

    /// <summary>Filter file, relative to this file; absent means the embedded default-filters.json.</summary>
    public string? Filters { get; set; }

    /// <summary>PD requirements file, relative to this file; absent means the embedded pd-requirements.json.</summary>
    public string? Requirements { get; set; }

    /// <summary>The virtual IPs and traffic shards this node can serve; the cluster's coordinator gives each to one node.</summary>
    public List<ItemConfig> Items { get; set; } = [];

    /// <summary>What the network namespaces of this node's VMs are named by: this prefix and the VM's name.</summary>
    public string VmNamespacePrefix { get; set; } = PdCluster.VSwitch.NamespaceVm.DefaultNamespacePrefix;

    /// <summary>The adapters this node runs PD on.</summary>
    public List<AdapterConfig> Adapters { get; set; } = [];
}
