using System.Net;

namespace PdCluster.Actors.Framework;

/// <summary>One adapter of a team: its MAC, and the IPv4 and IPv6 addresses it serves, which a survivor announces while the adapter is down.</summary>
public sealed record TeamMember(string Adapter, ulong Mac, IReadOnlyList<IPAddress> Addresses);
