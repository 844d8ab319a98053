using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PdCluster.Queues.Packets;

/// <summary>
/// The unsolicited Neighbor Advertisement (RFC 4861 §7.2.6) with which a host says an IPv6 address is now at its MAC:
/// ICMPv6 type 136 with the override flag and the target link-layer address option, from the address to all nodes
/// (ff02::1) with hop limit 255, so neighbours holding an entry for the address take the new MAC; and its reading on
/// the receiving side.
/// </summary>
public static class UnsolicitedNeighborAdvertisement
{
    private const ulong AllNodesMac = 0x3333_0000_0001;
    private const string AllNodes = "ff02::1";
    private const int Ipv6At = 14;
    private const int IcmpAt = Ipv6At + 40;

    /// <summary>The announcement of <paramref name="address"/> (IPv6) at <paramref name="mac"/>: 86 bytes.</summary>
    public static byte[] Build(ulong mac, IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"A neighbor advertisement announces an IPv6 address, not {address}.", nameof(address));
        var text = address.ToString();
        return new FrameBuilder().Ethernet(AllNodesMac, mac).Ipv6(text, AllNodes, hopLimit: 255).NeighborAdvertisement(mac, text).Build();
    }

    /// <summary>
    /// Whether <paramref name="frame"/> is an untagged unsolicited Neighbor Advertisement with the override flag, hop
    /// limit 255 and a target link-layer address option: then <paramref name="mac"/> and <paramref name="target"/> are
    /// what it announces. The checksum is not checked.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out ulong mac, out IPAddress? target)
    {
        mac = 0;
        target = null;
        if (frame.Length < IcmpAt + 32 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherType.Ipv6)
            return false;
        var ip = frame[Ipv6At..];
        if (ip[0] >> 4 != 6 || ip[6] != IpProtocol.IcmpV6 || ip[7] != 255 || BinaryPrimitives.ReadUInt16BigEndian(ip[4..]) < 32)
            return false;
        var na = frame[IcmpAt..];
        // Type 136, code 0; solicited clear, override set; the first option the target link-layer address (type 2, 8 bytes).
        if (na[0] != 136 || na[1] != 0 || (na[4] & 0x60) != 0x20 || na[24] != 2 || na[25] != 1)
            return false;
        mac = (ulong)BinaryPrimitives.ReadUInt16BigEndian(na[26..]) << 32 | BinaryPrimitives.ReadUInt32BigEndian(na[28..]);
        target = new IPAddress(na.Slice(8, 16));
        return true;
    }
}
