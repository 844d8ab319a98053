using System.Net;

namespace PdCluster.Actors.Framework;

/// <summary>
/// A virtual IP or traffic shard this node can serve (the node config's <c>items</c>): the coordinator gives each item
/// to one live node that declares it, recorded under <c>owners/&lt;id&gt;</c>.
/// </summary>
/// <param name="Address">A VIP's IPv4 or IPv6 address.</param>
/// <param name="Adapter">The adapter a VIP is announced on.</param>
public sealed record ClusterItem(string Id, ClusterItemKind Kind, IPAddress? Address = null, string? Adapter = null);
