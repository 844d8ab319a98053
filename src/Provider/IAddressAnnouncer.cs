using System.Net;

namespace PdCluster.Provider;

/// <summary>
/// Tells an adapter's link that this host now answers for an address (a gratuitous ARP for IPv4, an unsolicited Neighbor Advertisement for IPv6), so switches and
/// neighbours send its traffic here: what a new owner of a virtual IP or a team's surviving adapter does.
/// </summary>
public interface IAddressAnnouncer
{
    /// <summary>Sends the announcement once; throws <see cref="PdException"/> when the interface cannot send it.</summary>
    void Announce(IPAddress address);

    /// <summary>
    /// Sends once, from <paramref name="mac"/>, a MAC behind this host (a VM's on a switch), the announcement of
    /// <paramref name="address"/> at it, or with no address a RARP request (what a hypervisor sends for a VM that moved),
    /// so the link's switches learn the MAC's new path; throws <see cref="PdException"/> when the interface cannot send it.
    /// </summary>
    void Announce(ulong mac, IPAddress? address);

    /// <summary>The link's hardware address now, what an announcement carries (a NIC replaced while the node runs has a new one); null while the interface is gone.</summary>
    ulong? LinkAddress();
}
