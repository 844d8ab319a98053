using System.Net;

namespace PdCluster.Actors.Framework;

/// <summary>One adapter of a team: its MAC, and the IPv4 and IPv6 addresses it serves, which a survivor announces while the adapter is down.</summary>
public sealed record TeamMember(string Adapter, ulong Mac, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>Reads the adapter's MAC as its link has it now (a NIC replaced while the node runs comes with a new one); null: <see cref="Mac"/> stays.</summary>
    public Func<ulong?>? LinkAddress { get; init; }

    /// <summary>The MAC announcements from this member carry: the link's own now, else the one it was bound with.</summary>
    public ulong CurrentMac() => LinkAddress?.Invoke() ?? Mac;
}
