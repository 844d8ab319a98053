using System.Net;
using PdCluster.Nic.Requirements;
using PdCluster.Queues.Classification;

namespace PdCluster.Node.Configuration;

/// <summary>A configuration that is checked and complete: its filters and requirements loaded.</summary>
public sealed record LoadedConfig(NodeConfig Config, string Source, IReadOnlyList<FilterSpec> Filters, PdRequirements Requirements, IPEndPoint AdminEndpoint);
