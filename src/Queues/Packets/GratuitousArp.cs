using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PdCluster.Queues.Packets;

/// <summary>
/// The gratuitous ARP (RFC 5227's ARP announcement: a broadcast request whose sender and target address are the
/// announced one) with which a host says an IPv4 address is now at its MAC, so neighbours and switches move the
/// address's traffic to it; and its reading on the receiving side.
/// </summary>
public static class GratuitousArp
{
    private const ulong Broadcast = 0xFFFF_FFFF_FFFF;
    private const int ArpAt = 14;

    /// <summary>The announcement of <paramref name="address"/> (IPv4) at <paramref name="mac"/>, a minimum-size Ethernet frame.</summary>
    public static byte[] Build(ulong mac, IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"A gratuitous ARP announces an IPv4 address, not {address}.", nameof(address));
        var text = address.ToString();
        return new FrameBuilder().Ethernet(Broadcast, mac).Arp(mac, text, text).Build();
    }

    /// <summary>
    /// Whether <paramref name="frame"/> is an untagged ARP announcement (a request or reply whose sender and target
    /// address are one): then <paramref name="mac"/> and <paramref name="address"/> are what it announces.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out ulong mac, out uint address)
    {
        mac = 0;
        address = 0;
        if (frame.Length < ArpAt + 28 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherType.Arp)
            return false;
        var arp = frame[ArpAt..];
        // Ethernet hardware (1), IPv4 protocol, 6-byte and 4-byte addresses, operation request (1) or reply (2).
        if (BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != EtherType.Ipv4
            || arp[4] != 6 || arp[5] != 4 || BinaryPrimitives.ReadUInt16BigEndian(arp[6..]) is not (1 or 2))
            return false;
        var sender = BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);
        if (sender != BinaryPrimitives.ReadUInt32BigEndian(arp[24..]))
            return false;
        mac = (ulong)BinaryPrimitives.ReadUInt32BigEndian(arp[8..]) << 16 | BinaryPrimitives.ReadUInt16BigEndian(arp[12..]);
        address = sender;
        return true;
    }
}
