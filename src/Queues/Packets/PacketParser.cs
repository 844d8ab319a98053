using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PdCluster.Queues.Packets;

/// <summary>
/// Walks Ethernet, 802.1Q/QinQ, IPv4 (with options), IPv6 (past extension headers), UDP, TCP, ICMP and ICMPv6,
/// and one level of IP-in-IP, GRE, NVGRE or VXLAN, into a <see cref="PacketInfo"/>.
/// Every read is bounds-checked: a truncated or malformed frame never throws; <see cref="PacketInfo.Depth"/>
/// and <see cref="PacketInfo.Error"/> say how far the walk got, and the key's <see cref="FlowKey.Headers"/> which
/// headers were complete (a header cut short is absent, and so are its fields).
/// </summary>
public static class PacketParser
{
    /// <summary>UDP port of VXLAN (RFC 7348).</summary>
    public const ushort VxlanPort = 4789;

    private const int MaxExtensionHeaders = 8;

    /// <summary>Parses <paramref name="frame"/> into <paramref name="info"/>, overwriting it. Returns true when no error stopped the walk.</summary>
    public static bool Parse(ReadOnlySpan<byte> frame, ref PacketInfo info)
    {
        info = default;
        if (TryIpv4Transport(frame, ref info))
            return true;
        return ParseGeneral(frame, ref info);
    }

    /// <summary>The full header walk, without the fast path (tests check the two agree).</summary>
    internal static bool ParseGeneral(ReadOnlySpan<byte> frame, ref PacketInfo info)
    {
        info = default;
        var depth = Ethernet<Outer>(frame, 0, ref info);
        info.Depth = depth;
        return info.Error == ParseError.None;
    }

    /// <summary>
    /// The common case in one pass: untagged Ethernet, IPv4 without options, a first fragment, and a complete TCP or
    /// UDP header (not VXLAN), all within the frame. One bounds check up front; anything else takes the general walk.
    /// </summary>
    private static bool TryIpv4Transport(ReadOnlySpan<byte> frame, ref PacketInfo info)
    {
        if (frame.Length < 42)
            return false;
        ref var b = ref MemoryMarshal.GetReference(frame);
        if (Read16(ref b, 12) != EtherType.Ipv4 || Unsafe.Add(ref b, 14) != 0x45)
            return false;
        var totalLength = Read16(ref b, 16);
        var protocol = Unsafe.Add(ref b, 23);
        var end = Math.Min(frame.Length, 14 + totalLength);
        if ((Read16(ref b, 20) & 0x1FFF) != 0)
            return false;
        int payload;
        ulong flags = 0;
        if (protocol == IpProtocol.Udp)
        {
            if (totalLength < 28 || end < 42 || Read16(ref b, 36) == VxlanPort)
                return false;
            payload = 42;
        }
        else if (protocol == IpProtocol.Tcp)
        {
            if (end < 54)
                return false;
            var headerLength = (Unsafe.Add(ref b, 46) >> 4) * 4;
            if (headerLength < 20 || end < 34 + headerLength)
                return false;
            flags = Unsafe.Add(ref b, 47);
            payload = 34 + headerLength;
        }
        else
        {
            return false;
        }

        // Whole key words at once, each the fields and presence bits FieldSpec puts in it; the rest of the key is zero.
        // An IPv4 address fills only the low word of its 128-bit field: the high word of the mapped form is zero.
        // Constant parts come first and the TCP bit is computed outside the condition, so the JIT folds them into
        // immediates whatever its profile says about the TCP branch.
        ref var key = ref Unsafe.As<FlowKey, ulong>(ref info.Key);
        var tcp = In(L4Word, PacketHeaders.Tcp);
        Unsafe.Add(ref key, L2Word) = In(L2Word, MatchField.DestinationMac, ReadMac(ref b, 0)) | In(L2Word, MatchField.EtherType, EtherType.Ipv4);
        Unsafe.Add(ref key, SourceMacWord) = In(SourceMacWord, MatchField.SourceMac, ReadMac(ref b, 6));
        Unsafe.Add(ref key, FieldSpec.Of(MatchField.SourceIp).Word + 1) = Ipv4MappedPrefix | Read32(ref b, 26);
        Unsafe.Add(ref key, FieldSpec.Of(MatchField.DestinationIp).Word + 1) = Ipv4MappedPrefix | Read32(ref b, 30);
        Unsafe.Add(ref key, L4Word) =
            (In(L4Word, MatchField.IpVersion, 4) | In(L4Word, PacketHeaders.Ip) | In(L4Word, PacketHeaders.Ipv4) | In(L4Word, PacketHeaders.Ports))
            | In(L4Word, MatchField.Protocol, protocol)
            | In(L4Word, MatchField.TtlIsOne, Unsafe.Add(ref b, 22) == 1 ? 1UL : 0)
            | In(L4Word, MatchField.Dscp, (ulong)(Unsafe.Add(ref b, 15) >> 2))
            | In(L4Word, MatchField.SourcePort, Read16(ref b, 34))
            | In(L4Word, MatchField.DestinationPort, Read16(ref b, 36))
            | In(L4Word, MatchField.TcpFlags, flags)
            | (protocol == IpProtocol.Tcp ? tcp : 0);
        Unsafe.Add(ref key, EthernetWord) = In(EthernetWord, PacketHeaders.Ethernet);
        info.Depth = ParseDepth.Transport;
        info.NetworkOffset = 14;
        info.TransportOffset = 34;
        info.PayloadOffset = (ushort)payload;
        return true;
    }

    // The key words the fast path writes whole, named by a field or presence bit they hold.
    private static int L2Word => FieldSpec.Of(MatchField.DestinationMac).Word;
    private static int SourceMacWord => FieldSpec.Of(MatchField.SourceMac).Word;
    private static int L4Word => FieldSpec.Of(MatchField.Protocol).Word;
    private static int EthernetWord => FieldSpec.Of(PacketHeaders.Ethernet).Word;

    /// <summary><paramref name="value"/> where <paramref name="field"/> sits in key word <paramref name="word"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong In(int word, MatchField field, ulong value)
    {
        Debug.Assert(FieldSpec.Of(field).Word == word, $"{field} is not in key word {word}.");
        return value << FieldSpec.Of(field).Shift;
    }

    /// <summary>The presence bit of <paramref name="header"/>, which must sit in key word <paramref name="word"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong In(int word, PacketHeaders header)
    {
        Debug.Assert(FieldSpec.Of(header).Word == word, $"{header} is not in key word {word}.");
        return 1UL << FieldSpec.Of(header).Shift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort Read16(ref byte b, int offset)
    {
        var v = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref b, offset));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ref byte b, int offset)
    {
        var v = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, offset));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadMac(ref byte b, int offset) => ((ulong)Read16(ref b, offset) << 32) | Read32(ref b, offset + 2);

    private static ParseDepth Ethernet<TFields>(ReadOnlySpan<byte> frame, int offset, ref PacketInfo info)
        where TFields : struct, IHeaderFields
    {
        if (frame.Length - offset < 14)
            return Fail(ref info, ParseError.Truncated, ParseDepth.None);

        info.Key.Set(TFields.DestinationMac, ReadMac(frame[offset..]));
        info.Key.Set(TFields.SourceMac, ReadMac(frame[(offset + 6)..]));
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 12)..]);
        offset += 14;

        if (!TFields.IsInner)
        {
            while (etherType is EtherType.Vlan or EtherType.ServiceVlan or EtherType.LegacyServiceVlan && info.VlanCount < 2)
            {
                if (frame.Length - offset < 4)
                    return Fail(ref info, ParseError.Truncated, ParseDepth.None);
                var tci = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
                if (info.VlanCount == 0)
                {
                    info.Key.Set(MatchField.VlanId, (ulong)(tci & 0x0FFF));
                    info.Key.Set(MatchField.VlanPriority, (ulong)(tci >> 13));
                }
                else
                {
                    info.InnerVlanId = (ushort)(tci & 0x0FFF);
                }
                info.VlanCount++;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
                offset += 4;
            }
        }

        info.Key.Set(TFields.EtherType, etherType);
        info.Key.SetPresent(TFields.Ethernet);
        if (!TFields.IsInner && info.VlanCount > 0)
            info.Key.SetPresent(PacketHeaders.Vlan);
        info.PayloadOffset = (ushort)offset;
        return etherType switch
        {
            EtherType.Ipv4 => Ipv4<TFields>(frame, offset, ref info),
            EtherType.Ipv6 => Ipv6<TFields>(frame, offset, ref info),
            _ => ParseDepth.Link,
        };
    }

    private static ParseDepth Ipv4<TFields>(ReadOnlySpan<byte> frame, int offset, ref PacketInfo info)
        where TFields : struct, IHeaderFields
    {
        if (frame.Length - offset < 20)
            return Fail(ref info, ParseError.Truncated, ParseDepth.Link);
        var ip = frame[offset..];
        if (ip[0] >> 4 != 4)
            return Fail(ref info, ParseError.BadVersion, ParseDepth.Link);
        var headerLength = (ip[0] & 0x0F) * 4;
        if (headerLength < 20)
            return Fail(ref info, ParseError.BadHeaderLength, ParseDepth.Link);
        if (ip.Length < headerLength)
            return Fail(ref info, ParseError.Truncated, ParseDepth.Link);
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (totalLength < headerLength)
            return Fail(ref info, ParseError.BadHeaderLength, ParseDepth.Link);

        var protocol = ip[9];
        info.Key.Set(TFields.SourceIp, MapIpv4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..])));
        info.Key.Set(TFields.DestinationIp, MapIpv4(BinaryPrimitives.ReadUInt32BigEndian(ip[16..])));
        info.Key.Set(TFields.Protocol, protocol);
        info.Key.SetPresent(TFields.Ip);
        info.Key.SetPresent(TFields.Ipv4);
        if (!TFields.IsInner)
        {
            info.NetworkOffset = (ushort)offset;
            info.Key.Set(MatchField.IpVersion, 4UL);
            info.Key.Set(MatchField.Dscp, (ulong)(ip[1] >> 2));
            info.Key.Set(MatchField.TtlIsOne, ip[8] == 1 ? 1UL : 0UL);
        }

        var end = Math.Min(frame.Length, offset + totalLength);
        var fragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF;
        info.PayloadOffset = (ushort)(offset + headerLength);
        if (fragmentOffset != 0)
            return ParseDepth.Network;
        return Transport<TFields>(frame[..end], offset + headerLength, protocol, ref info);
    }

    private static ParseDepth Ipv6<TFields>(ReadOnlySpan<byte> frame, int offset, ref PacketInfo info)
        where TFields : struct, IHeaderFields
    {
        if (frame.Length - offset < 40)
            return Fail(ref info, ParseError.Truncated, ParseDepth.Link);
        var ip = frame[offset..];
        if (ip[0] >> 4 != 6)
            return Fail(ref info, ParseError.BadVersion, ParseDepth.Link);

        info.Key.Set(TFields.SourceIp, BinaryPrimitives.ReadUInt128BigEndian(ip[8..]));
        info.Key.Set(TFields.DestinationIp, BinaryPrimitives.ReadUInt128BigEndian(ip[24..]));
        info.Key.SetPresent(TFields.Ip);
        info.Key.SetPresent(TFields.Ipv6);
        if (!TFields.IsInner)
        {
            info.NetworkOffset = (ushort)offset;
            info.Key.Set(MatchField.IpVersion, 6UL);
            var trafficClass = ((ip[0] & 0x0F) << 4) | (ip[1] >> 4);
            info.Key.Set(MatchField.Dscp, (ulong)(trafficClass >> 2));
            info.Key.Set(MatchField.TtlIsOne, ip[7] == 1 ? 1UL : 0UL);
        }

        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        var end = payloadLength == 0 ? frame.Length : Math.Min(frame.Length, offset + 40 + payloadLength);
        var next = ip[6];
        var cursor = offset + 40;
        for (var seen = 0; IsExtensionHeader(next); seen++)
        {
            // Where the walk stops, the protocol is the header it could not get past.
            info.Key.Set(TFields.Protocol, next);
            if (seen == MaxExtensionHeaders)
                return Fail(ref info, ParseError.TooManyExtensionHeaders, ParseDepth.Network);
            if (end - cursor < 8)
                return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
            var header = frame[cursor..end];
            var length = next switch
            {
                IpProtocol.Fragment => 8,
                IpProtocol.AuthenticationHeader => (header[1] + 2) * 4,
                _ => (header[1] + 1) * 8,
            };
            if (next == IpProtocol.Fragment && (BinaryPrimitives.ReadUInt16BigEndian(header[2..]) >> 3) != 0)
            {
                info.Key.Set(TFields.Protocol, header[0]);
                info.PayloadOffset = (ushort)(cursor + length);
                return ParseDepth.Network;
            }
            if (header.Length < length)
                return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
            next = header[0];
            cursor += length;
        }

        info.Key.Set(TFields.Protocol, next);
        info.PayloadOffset = (ushort)cursor;
        return Transport<TFields>(frame[..end], cursor, next, ref info);
    }

    private static bool IsExtensionHeader(byte next) => next is IpProtocol.HopByHopOptions or IpProtocol.Routing or IpProtocol.Fragment
        or IpProtocol.AuthenticationHeader or IpProtocol.DestinationOptions or IpProtocol.Mobility or IpProtocol.HostIdentity or IpProtocol.Shim6;

    private static ParseDepth Transport<TFields>(ReadOnlySpan<byte> frame, int offset, byte protocol, ref PacketInfo info)
        where TFields : struct, IHeaderFields
    {
        var available = frame.Length - offset;
        if (!TFields.IsInner)
            info.TransportOffset = (ushort)offset;
        switch (protocol)
        {
            case IpProtocol.Tcp:
            {
                if (available < 20)
                    return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
                var tcp = frame[offset..];
                var headerLength = (tcp[12] >> 4) * 4;
                if (headerLength < 20)
                    return Fail(ref info, ParseError.BadHeaderLength, ParseDepth.Network);
                if (available < headerLength)
                    return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
                SetPorts<TFields>(tcp, ref info);
                if (!TFields.IsInner)
                {
                    info.Key.Set(MatchField.TcpFlags, tcp[13]);
                    info.Key.SetPresent(PacketHeaders.Tcp);
                }
                info.PayloadOffset = (ushort)(offset + headerLength);
                return ParseDepth.Transport;
            }
            case IpProtocol.Udp:
            {
                if (available < 8)
                    return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
                var udp = frame[offset..];
                SetPorts<TFields>(udp, ref info);
                info.PayloadOffset = (ushort)(offset + 8);
                if (!TFields.IsInner && BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) == VxlanPort)
                    Vxlan(frame, offset + 8, ref info);
                return ParseDepth.Transport;
            }
            case IpProtocol.Icmp or IpProtocol.IcmpV6:
            {
                if (available < 4)
                    return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
                if (!TFields.IsInner)
                {
                    info.Key.Set(MatchField.IcmpType, frame[offset]);
                    info.Key.Set(MatchField.IcmpCode, frame[offset + 1]);
                    info.Key.SetPresent(PacketHeaders.Icmp);
                }
                info.PayloadOffset = (ushort)(offset + 4);
                return ParseDepth.Transport;
            }
            case IpProtocol.Gre when !TFields.IsInner:
                return Gre(frame, offset, ref info);
            case IpProtocol.IpInIp when !TFields.IsInner:
                info.Key.Set(MatchField.Encapsulation, (ulong)Encapsulation.IpInIp);
                info.InnerDepth = Ipv4<Inner>(frame, offset, ref info);
                return ParseDepth.Network;
            case IpProtocol.Ipv6 when !TFields.IsInner:
                info.Key.Set(MatchField.Encapsulation, (ulong)Encapsulation.IpInIp);
                info.InnerDepth = Ipv6<Inner>(frame, offset, ref info);
                return ParseDepth.Network;
            default:
                return ParseDepth.Network;
        }
    }

    private static ParseDepth Gre(ReadOnlySpan<byte> frame, int offset, ref PacketInfo info)
    {
        if (frame.Length - offset < 4)
            return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        var protocol = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
        if ((flags & 0x7) != 0)
            return ParseDepth.Network;
        var hasChecksum = (flags & 0x8000) != 0;
        var hasKey = (flags & 0x2000) != 0;
        var length = 4 + (hasChecksum ? 4 : 0) + (hasKey ? 4 : 0) + ((flags & 0x1000) != 0 ? 4 : 0);
        if (frame.Length - offset < length)
            return Fail(ref info, ParseError.Truncated, ParseDepth.Network);
        info.PayloadOffset = (ushort)(offset + length);

        var inner = offset + length;
        if (protocol == EtherType.TransparentEthernetBridging && hasKey)
        {
            var key = BinaryPrimitives.ReadUInt32BigEndian(frame[(offset + (hasChecksum ? 8 : 4))..]);
            info.Key.Set(MatchField.Encapsulation, (ulong)Encapsulation.Nvgre);
            info.Key.Set(MatchField.TenantId, (ulong)(key >> 8));
            info.Key.SetPresent(PacketHeaders.Overlay);
        }
        else
        {
            info.Key.Set(MatchField.Encapsulation, (ulong)Encapsulation.Gre);
        }
        info.InnerDepth = protocol switch
        {
            EtherType.TransparentEthernetBridging => Ethernet<Inner>(frame, inner, ref info),
            EtherType.Ipv4 => Ipv4<Inner>(frame, inner, ref info),
            EtherType.Ipv6 => Ipv6<Inner>(frame, inner, ref info),
            _ => ParseDepth.None,
        };
        return ParseDepth.Transport;
    }

    private static void Vxlan(ReadOnlySpan<byte> frame, int offset, ref PacketInfo info)
    {
        if (frame.Length - offset < 8 || (frame[offset] & 0x08) == 0)
            return;
        info.Key.Set(MatchField.Encapsulation, (ulong)Encapsulation.Vxlan);
        info.Key.Set(MatchField.TenantId, (ulong)(BinaryPrimitives.ReadUInt32BigEndian(frame[(offset + 4)..]) >> 8));
        info.Key.SetPresent(PacketHeaders.Overlay);
        info.PayloadOffset = (ushort)(offset + 8);
        info.InnerDepth = Ethernet<Inner>(frame, offset + 8, ref info);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetPorts<TFields>(ReadOnlySpan<byte> l4, ref PacketInfo info) where TFields : struct, IHeaderFields
    {
        info.Key.Set(TFields.SourcePort, BinaryPrimitives.ReadUInt16BigEndian(l4));
        info.Key.Set(TFields.DestinationPort, BinaryPrimitives.ReadUInt16BigEndian(l4[2..]));
        info.Key.SetPresent(TFields.Ports);
    }

    /// <summary>Reads a 48-bit MAC address, most significant byte first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadMac(ReadOnlySpan<byte> bytes) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);

    /// <summary>The IPv4-mapped IPv6 form (::ffff:a.b.c.d) that <see cref="FlowKey"/> stores IPv4 addresses in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt128 MapIpv4(uint address) => new(0, Ipv4MappedPrefix | address);

    /// <summary>Whether <paramref name="address"/> lies in ::ffff:0:0/96, the IPv4-mapped form <see cref="MapIpv4"/> makes.</summary>
    public static bool IsIpv4Mapped(UInt128 address) => address >> 32 == Ipv4MappedPrefix >> 32;

    /// <summary>The low word of every IPv4-mapped address before the IPv4 address is added (the high word is zero).</summary>
    private const ulong Ipv4MappedPrefix = 0x0000_FFFF_0000_0000;

    private static ParseDepth Fail(ref PacketInfo info, ParseError error, ParseDepth reached)
    {
        info.Error = error;
        return reached;
    }

    /// <summary>Which key fields a header walk writes: the outer headers or a tunnel's inner ones.</summary>
    private interface IHeaderFields
    {
        static abstract bool IsInner { get; }
        static abstract PacketHeaders Ethernet { get; }
        static abstract PacketHeaders Ip { get; }
        static abstract PacketHeaders Ipv4 { get; }
        static abstract PacketHeaders Ipv6 { get; }
        static abstract PacketHeaders Ports { get; }
        static abstract MatchField DestinationMac { get; }
        static abstract MatchField SourceMac { get; }
        static abstract MatchField EtherType { get; }
        static abstract MatchField SourceIp { get; }
        static abstract MatchField DestinationIp { get; }
        static abstract MatchField Protocol { get; }
        static abstract MatchField SourcePort { get; }
        static abstract MatchField DestinationPort { get; }
    }

    private struct Outer : IHeaderFields
    {
        public static bool IsInner => false;
        public static PacketHeaders Ethernet => PacketHeaders.Ethernet;
        public static PacketHeaders Ip => PacketHeaders.Ip;
        public static PacketHeaders Ipv4 => PacketHeaders.Ipv4;
        public static PacketHeaders Ipv6 => PacketHeaders.Ipv6;
        public static PacketHeaders Ports => PacketHeaders.Ports;
        public static MatchField DestinationMac => MatchField.DestinationMac;
        public static MatchField SourceMac => MatchField.SourceMac;
        public static MatchField EtherType => MatchField.EtherType;
        public static MatchField SourceIp => MatchField.SourceIp;
        public static MatchField DestinationIp => MatchField.DestinationIp;
        public static MatchField Protocol => MatchField.Protocol;
        public static MatchField SourcePort => MatchField.SourcePort;
        public static MatchField DestinationPort => MatchField.DestinationPort;
    }

    private struct Inner : IHeaderFields
    {
        public static bool IsInner => true;
        public static PacketHeaders Ethernet => PacketHeaders.InnerEthernet;
        public static PacketHeaders Ip => PacketHeaders.InnerIp;
        public static PacketHeaders Ipv4 => PacketHeaders.InnerIpv4;
        public static PacketHeaders Ipv6 => PacketHeaders.InnerIpv6;
        public static PacketHeaders Ports => PacketHeaders.InnerPorts;
        public static MatchField DestinationMac => MatchField.InnerDestinationMac;
        public static MatchField SourceMac => MatchField.InnerSourceMac;
        public static MatchField EtherType => MatchField.InnerEtherType;
        public static MatchField SourceIp => MatchField.InnerSourceIp;
        public static MatchField DestinationIp => MatchField.InnerDestinationIp;
        public static MatchField Protocol => MatchField.InnerProtocol;
        public static MatchField SourcePort => MatchField.InnerSourcePort;
        public static MatchField DestinationPort => MatchField.InnerDestinationPort;
    }
}
