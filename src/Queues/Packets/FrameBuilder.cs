using System.Buffers.Binary;
using System.Net;

namespace PdCluster.Queues.Packets;

/// <summary>
/// Builds well-formed frames layer by layer (Ethernet, VLAN, IPv4/IPv6, UDP/TCP/ICMP, ARP, neighbor advertisement, VXLAN, GRE, payload),
/// filling in lengths and checksums: for tests, the traffic generator and demos.
/// </summary>
public sealed class FrameBuilder
{
    private readonly List<Layer> _layers = [];
    private int _payload;

    /// <summary>Bytes before the payload in the last built frame.</summary>
    public int HeaderLength { get; private set; }

    /// <summary>Adds an Ethernet header; <paramref name="etherType"/> is filled in from the next layer when 0.</summary>
    public FrameBuilder Ethernet(ulong destination, ulong source, ushort etherType = 0) => Add(new(LayerKind.Ethernet) { Mac1 = destination, Mac2 = source, Number = etherType });

    /// <summary>Adds an 802.1Q tag (or an 802.1ad S-tag with <paramref name="serviceTag"/>).</summary>
    public FrameBuilder Vlan(ushort id, byte priority = 0, bool serviceTag = false) => Add(new(LayerKind.Vlan) { Number = id, Byte1 = priority, Flag = serviceTag });

    /// <summary>Adds an IPv4 header with optional options (a multiple of 4 bytes).</summary>
    public FrameBuilder Ipv4(string source, string destination, byte ttl = 64, byte dscp = 0, byte[]? options = null, ushort fragmentOffset = 0) =>
        Add(new(LayerKind.Ipv4) { Source = IPAddress.Parse(source), Destination = IPAddress.Parse(destination), Byte1 = ttl, Byte2 = dscp, Bytes = options ?? [], Number = fragmentOffset });

    /// <summary>Adds an IPv6 header; <paramref name="extensionHeaders"/> are next-header numbers of 8-byte extension headers to insert.</summary>
    public FrameBuilder Ipv6(string source, string destination, byte hopLimit = 64, byte dscp = 0, byte[]? extensionHeaders = null) =>
        Add(new(LayerKind.Ipv6) { Source = IPAddress.Parse(source), Destination = IPAddress.Parse(destination), Byte1 = hopLimit, Byte2 = dscp, Bytes = extensionHeaders ?? [] });

    /// <summary>Adds a UDP header.</summary>
    public FrameBuilder Udp(ushort sourcePort, ushort destinationPort) => Add(new(LayerKind.Udp) { Port1 = sourcePort, Port2 = destinationPort });

    /// <summary>Adds a TCP header (20 bytes, no options).</summary>
    public FrameBuilder Tcp(ushort sourcePort, ushort destinationPort, byte flags = 0x02) => Add(new(LayerKind.Tcp) { Port1 = sourcePort, Port2 = destinationPort, Byte1 = flags });

    /// <summary>Adds an ICMP (or, after IPv6, ICMPv6) header.</summary>
    public FrameBuilder Icmp(byte type, byte code) => Add(new(LayerKind.Icmp) { Byte1 = type, Byte2 = code });

    /// <summary>Adds an ARP request for IPv4 (who has <paramref name="targetIp"/>? tell <paramref name="senderIp"/>), or a reply with <paramref name="operation"/> 2.</summary>
    public FrameBuilder Arp(ulong senderMac, string senderIp, string targetIp, ushort operation = 1, ulong targetMac = 0) =>
        Add(new(LayerKind.Arp) { Mac1 = senderMac, Mac2 = targetMac, Source = IPAddress.Parse(senderIp), Destination = IPAddress.Parse(targetIp), Number = operation });

    /// <summary>
    /// Adds an ICMPv6 Neighbor Advertisement (RFC 4861 §4.4, after IPv6) for <paramref name="target"/> with the target
    /// link-layer address option carrying <paramref name="targetMac"/>; <paramref name="solicited"/> and
    /// <paramref name="overrideFlag"/> are its S and O flags.
    /// </summary>
    public FrameBuilder NeighborAdvertisement(ulong targetMac, string target, bool solicited = false, bool overrideFlag = true) =>
        Add(new(LayerKind.NeighborAdvertisement) { Mac1 = targetMac, Destination = IPAddress.Parse(target), Flag = solicited, Byte1 = overrideFlag ? (byte)1 : (byte)0 });

    /// <summary>Adds a VXLAN header (put it after UDP to port 4789, before the inner Ethernet).</summary>
    public FrameBuilder Vxlan(uint vni) => Add(new(LayerKind.Vxlan) { Number32 = vni });

    /// <summary>Adds a GRE header; with <paramref name="key"/> and an inner Ethernet it is NVGRE (key = VSID &lt;&lt; 8).</summary>
    public FrameBuilder Gre(uint? key = null) => Add(new(LayerKind.Gre) { Number32 = key ?? 0, Flag = key.HasValue });

    /// <summary>Sets the payload length (zero bytes) after the last header.</summary>
    public FrameBuilder Payload(int length)
    {
        _payload = length;
        return this;
    }

    /// <summary>Writes the frame, padded with payload to at least <paramref name="minimumLength"/> bytes (60 = minimum Ethernet without FCS).</summary>
    public byte[] Build(int minimumLength = 60)
    {
        var headers = _layers.Sum(HeaderSize);
        HeaderLength = headers;
        var frame = new byte[Math.Max(minimumLength, headers + _payload)];
        var offsets = new int[_layers.Count];
        var at = 0;
        for (var i = 0; i < _layers.Count; i++)
        {
            offsets[i] = at;
            at += HeaderSize(_layers[i]);
        }
        for (var i = _layers.Count - 1; i >= 0; i--)
            Write(frame, i, offsets, frame.Length);
        return frame;
    }

    private FrameBuilder Add(Layer layer)
    {
        _layers.Add(layer);
        return this;
    }

    private static int HeaderSize(Layer l) => l.Kind switch
    {
        LayerKind.Ethernet => 14,
        LayerKind.Vlan => 4,
        LayerKind.Ipv4 => 20 + l.Bytes.Length,
        LayerKind.Ipv6 => 40 + 8 * l.Bytes.Length,
        LayerKind.Udp => 8,
        LayerKind.Tcp => 20,
        LayerKind.Icmp => 8,
        LayerKind.Vxlan => 8,
        LayerKind.Gre => l.Flag ? 8 : 4,
        LayerKind.Arp => 28,
        LayerKind.NeighborAdvertisement => 32,
        _ => 0,
    };

    private void Write(byte[] frame, int index, int[] offsets, int end)
    {
        var l = _layers[index];
        var s = frame.AsSpan(offsets[index]);
        var next = index + 1 < _layers.Count ? _layers[index + 1].Kind : LayerKind.None;
        switch (l.Kind)
        {
            case LayerKind.Ethernet:
                WriteMac(s, l.Mac1);
                WriteMac(s[6..], l.Mac2);
                BinaryPrimitives.WriteUInt16BigEndian(s[12..], l.Number != 0 ? l.Number : EtherTypeOf(next));
                break;
            case LayerKind.Vlan:
                // The tag sits where the previous header's EtherType was; rewrite it as a TPID.
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offsets[index] - 2), l.Flag ? EtherType.ServiceVlan : EtherType.Vlan);
                BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)((l.Byte1 << 13) | (l.Number & 0x0FFF)));
                BinaryPrimitives.WriteUInt16BigEndian(s[2..], EtherTypeOf(next));
                break;
            case LayerKind.Ipv4:
            {
                var headerLength = 20 + l.Bytes.Length;
                s[0] = (byte)(0x40 | (headerLength / 4));
                s[1] = (byte)(l.Byte2 << 2);
                BinaryPrimitives.WriteUInt16BigEndian(s[2..], (ushort)(end - offsets[index]));
                BinaryPrimitives.WriteUInt16BigEndian(s[6..], l.Number);
                s[8] = l.Byte1;
                s[9] = ProtocolOf(next, ipv6: false);
                l.Source!.GetAddressBytes().CopyTo(s[12..]);
                l.Destination!.GetAddressBytes().CopyTo(s[16..]);
                l.Bytes.CopyTo(s[20..]);
                BinaryPrimitives.WriteUInt16BigEndian(s[10..], Checksum(s[..headerLength], 0));
                break;
            }
            case LayerKind.Ipv6:
            {
                s[0] = (byte)(0x60 | (l.Byte2 >> 2));
                s[1] = (byte)((l.Byte2 & 3) << 6);
                BinaryPrimitives.WriteUInt16BigEndian(s[4..], (ushort)(end - offsets[index] - 40));
                s[7] = l.Byte1;
                l.Source!.GetAddressBytes().CopyTo(s[8..]);
                l.Destination!.GetAddressBytes().CopyTo(s[24..]);
                var transport = ProtocolOf(next, ipv6: true);
                s[6] = l.Bytes.Length > 0 ? l.Bytes[0] : transport;
                for (var e = 0; e < l.Bytes.Length; e++)
                {
                    var ext = s[(40 + 8 * e)..];
                    ext[0] = e + 1 < l.Bytes.Length ? l.Bytes[e + 1] : transport;
                    ext[1] = 0;
                }
                break;
            }
            case LayerKind.Udp:
                BinaryPrimitives.WriteUInt16BigEndian(s, l.Port1);
                BinaryPrimitives.WriteUInt16BigEndian(s[2..], l.Port2);
                BinaryPrimitives.WriteUInt16BigEndian(s[4..], (ushort)(end - offsets[index]));
                WriteTransportChecksum(frame, index, offsets, end, 6);
                break;
            case LayerKind.Tcp:
                BinaryPrimitives.WriteUInt16BigEndian(s, l.Port1);
                BinaryPrimitives.WriteUInt16BigEndian(s[2..], l.Port2);
                s[12] = 5 << 4;
                s[13] = l.Byte1;
                BinaryPrimitives.WriteUInt16BigEndian(s[14..], 65535);
                WriteTransportChecksum(frame, index, offsets, end, 16);
                break;
            case LayerKind.Icmp:
                s[0] = l.Byte1;
                s[1] = l.Byte2;
                WriteTransportChecksum(frame, index, offsets, end, 2);
                break;
            case LayerKind.Arp:
                BinaryPrimitives.WriteUInt16BigEndian(s, 1);
                BinaryPrimitives.WriteUInt16BigEndian(s[2..], EtherType.Ipv4);
                s[4] = 6;
                s[5] = 4;
                BinaryPrimitives.WriteUInt16BigEndian(s[6..], l.Number);
                WriteMac(s[8..], l.Mac1);
                l.Source!.GetAddressBytes().CopyTo(s[14..]);
                WriteMac(s[18..], l.Mac2);
                l.Destination!.GetAddressBytes().CopyTo(s[24..]);
                break;
            case LayerKind.NeighborAdvertisement:
                s[0] = 136;
                s[1] = 0;
                s[4] = (byte)((l.Flag ? 0x40 : 0) | (l.Byte1 != 0 ? 0x20 : 0));
                l.Destination!.GetAddressBytes().CopyTo(s[8..]);
                // The target link-layer address option: type 2, length 1 (8 bytes), the MAC.
                s[24] = 2;
                s[25] = 1;
                WriteMac(s[26..], l.Mac1);
                WriteTransportChecksum(frame, index, offsets, end, 2);
                break;
            case LayerKind.Vxlan:
                s[0] = 0x08;
                BinaryPrimitives.WriteUInt32BigEndian(s[4..], l.Number32 << 8);
                break;
            case LayerKind.Gre:
                BinaryPrimitives.WriteUInt16BigEndian(s, l.Flag ? (ushort)0x2000 : (ushort)0);
                BinaryPrimitives.WriteUInt16BigEndian(s[2..], next == LayerKind.Ethernet ? EtherType.TransparentEthernetBridging : EtherTypeOf(next));
                if (l.Flag)
                    BinaryPrimitives.WriteUInt32BigEndian(s[4..], l.Number32);
                break;
        }
    }

    private void WriteTransportChecksum(byte[] frame, int index, int[] offsets, int end, int checksumOffset)
    {
        var ipIndex = index - 1;
        if (ipIndex < 0 || _layers[ipIndex].Kind is not (LayerKind.Ipv4 or LayerKind.Ipv6))
            return;
        var ip = _layers[ipIndex];
        var segment = frame.AsSpan(offsets[index], end - offsets[index]);
        var isV6 = ip.Kind == LayerKind.Ipv6;
        if (!isV6 && _layers[index].Kind == LayerKind.Icmp)
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[checksumOffset..], Checksum(segment, 0));
            return;
        }
        uint pseudo = 0;
        var src = ip.Source!.GetAddressBytes();
        var dst = ip.Destination!.GetAddressBytes();
        pseudo = Sum(src, pseudo);
        pseudo = Sum(dst, pseudo);
        pseudo += ProtocolOf(_layers[index].Kind, isV6);
        pseudo += (uint)segment.Length;
        var sum = Checksum(segment, pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(segment[checksumOffset..], sum == 0 && _layers[index].Kind == LayerKind.Udp ? (ushort)0xFFFF : sum);
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/> plus a partial sum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint partial)
    {
        var sum = Sum(data, partial);
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        ulong total = sum;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
            total += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            total += (uint)data[i] << 8;
        while (total >> 16 != 0)
            total = (total & 0xFFFF) + (total >> 16);
        return (uint)total;
    }

    private static void WriteMac(Span<byte> s, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(s[2..], (uint)mac);
    }

    private static ushort EtherTypeOf(LayerKind next) => next switch
    {
        LayerKind.Ipv4 => EtherType.Ipv4,
        LayerKind.Ipv6 => EtherType.Ipv6,
        LayerKind.Vlan => EtherType.Vlan,
        LayerKind.Arp => EtherType.Arp,
        _ => EtherType.LocalExperimental,
    };

    private static byte ProtocolOf(LayerKind next, bool ipv6) => next switch
    {
        LayerKind.Tcp => IpProtocol.Tcp,
        LayerKind.Udp => IpProtocol.Udp,
        LayerKind.Icmp => ipv6 ? IpProtocol.IcmpV6 : IpProtocol.Icmp,
        LayerKind.NeighborAdvertisement => IpProtocol.IcmpV6,
        LayerKind.Gre => IpProtocol.Gre,
        LayerKind.Ipv4 => IpProtocol.IpInIp,
        LayerKind.Ipv6 => IpProtocol.Ipv6,
        _ => IpProtocol.Experimental,
    };

    private enum LayerKind
    {
        None,
        Ethernet,
        Vlan,
        Ipv4,
        Ipv6,
        Udp,
        Tcp,
        Icmp,
        Vxlan,
        Gre,
        Arp,
        NeighborAdvertisement,
    }

    private sealed record Layer(LayerKind Kind)
    {
        public ulong Mac1 { get; init; }
        public ulong Mac2 { get; init; }
        public ushort Number { get; init; }
        public uint Number32 { get; init; }
        public ushort Port1 { get; init; }
        public ushort Port2 { get; init; }
        public byte Byte1 { get; init; }
        public byte Byte2 { get; init; }
        public bool Flag { get; init; }
        public byte[] Bytes { get; init; } = [];
        public IPAddress? Source { get; init; }
        public IPAddress? Destination { get; init; }
    }
}
