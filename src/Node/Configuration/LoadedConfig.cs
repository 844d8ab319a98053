using System.Net;
using PdCluster.Cluster.Etcd;
using PdCluster.Nic.Requirements;
using PdCluster.Queues.Classification;

namespace PdCluster.Node.Configuration;

/// <summary>A configuration that is checked and complete: its filters and requirements loaded, and with store etcd its options (files resolved, password read).</summary>
public sealed record LoadedConfig(NodeConfig Config, string Source, IReadOnlyList<FilterSpec> Filters, PdRequirements Requirements, IPEndPoint AdminEndpoint, EtcdOptions? Etcd = null);
