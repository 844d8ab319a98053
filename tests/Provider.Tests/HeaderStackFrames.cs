using System.Buffers.Binary;
using System.Net;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Provider;

/// <summary>
/// Frames for comparing two classifiers byte for byte: random header stacks drawn from a seed (VLAN tags of every
/// TPID, IPv4 with options, fragments and wrong lengths, IPv6 with extension-header chains, UDP/TCP/ICMP and other
/// protocols, random cuts), and hand-picked edge cases cut at every length. Field values come from small pools so that
/// the filters under test match often. Addresses are from 198.18.0.0/15 and 2001:db8::/32.
/// </summary>
public sealed class HeaderStackFrames(int seed)
{
    public static readonly ulong[] Macs = [0x02_00_00_00_00_02, 0x02_00_00_00_00_01, 0x02_00_00_00_00_09, 0xFF_FF_FF_FF_FF_FF];
    public static readonly string[] Ipv4Addresses = ["198.18.0.1", "198.18.1.1", "198.18.0.7", "198.19.5.5"];
    public static readonly string[] Ipv6Addresses = ["2001:db8::1", "2001:db8::2", "2001:db8:1::7", "::ffff:198.18.0.7"];
    private static readonly ushort[] Tpids = [EtherType.Vlan, EtherType.ServiceVlan, EtherType.LegacyServiceVlan];
    private static readonly ushort[] VlanIds = [10, 20, 30];
    private static readonly byte[] ExtensionHeaders =
    [
        IpProtocol.HopByHopOptions, IpProtocol.Routing, IpProtocol.Fragment, IpProtocol.AuthenticationHeader,
        IpProtocol.DestinationOptions, IpProtocol.Mobility, IpProtocol.HostIdentity, IpProtocol.Shim6,
    ];
    private static readonly byte[] Transports =
        [IpProtocol.Udp, IpProtocol.Udp, IpProtocol.Tcp, IpProtocol.Tcp, IpProtocol.Icmp, IpProtocol.IcmpV6, IpProtocol.Gre, 132, IpProtocol.Experimental];
    private readonly Random _random = new(seed);

    /// <summary>The next random frame: at least 14 bytes (the shortest an AF_PACKET socket sends on Ethernet).</summary>
    public byte[] Next()
    {
        var f = new List<byte>();
        Mac(f, Pick(Macs));
        Mac(f, Pick(Macs));
        var tags = Weighted(50, 25, 20, 5);
        for (var i = 0; i < tags; i++)
        {
            U16(f, Pick(Tpids));
            U16(f, (ushort)((_random.Next(8) << 13) | Pick(VlanIds)));
        }
        switch (Weighted(45, 40, 5, 5, 5))
        {
            case 0:
                U16(f, EtherType.Ipv4);
                Ipv4(f);
                break;
            case 1:
                U16(f, EtherType.Ipv6);
                Ipv6(f);
                break;
            case 2:
                U16(f, EtherType.Arp);
                Bytes(f, 28);
                break;
            case 3:
                U16(f, EtherType.LocalExperimental);
                Bytes(f, _random.Next(0, 40));
                break;
            default:
                U16(f, Pick(Tpids));
                Bytes(f, _random.Next(0, 40));
                break;
        }
        var frame = f.ToArray();
        return _random.Next(100) < 30 ? frame[..Math.Max(14, _random.Next(14, frame.Length + 1))] : frame;
    }

    /// <summary>Hand-picked frames, each cut at every length from 14 bytes to whole.</summary>
    public static IEnumerable<byte[]> EdgeCases()
    {
        byte[][] whole =
        [
            Build(b => b.Ethernet(Macs[0], Macs[1]).Vlan(20, 5, serviceTag: true).Vlan(30).Ipv4("198.18.0.7", "198.18.1.1", options: [1, 1, 1, 0]).Udp(1010, 7000).Payload(4)),
            Build(b => b.Ethernet(Macs[0], Macs[1]).Vlan(30).Ipv6("2001:db8::1", "2001:db8:1::7", extensionHeaders: [IpProtocol.HopByHopOptions, IpProtocol.Routing, IpProtocol.DestinationOptions, IpProtocol.Fragment]).Tcp(1000, 80).Payload(4)),
            Build(b => b.Ethernet(Macs[0], Macs[2]).Ipv4("198.18.0.1", "198.18.1.1", ttl: 1).Icmp(8, 0)),
            Build(b => b.Ethernet(Macs[3], Macs[1]).Ipv6("::ffff:198.18.0.7", "2001:db8::2", dscp: 46).Icmp(128, 0)),
            NonFirstFragment(),
            TooManyExtensionHeaders(),
            LegacyAndTripleTags(),
        ];
        foreach (var frame in whole)
            for (var length = 14; length <= frame.Length; length++)
                yield return frame[..length];
    }

    private static byte[] Build(Func<FrameBuilder, FrameBuilder> layers) => layers(new FrameBuilder()).Build(minimumLength: 0);

    /// <summary>IPv6 whose fragment header says offset 8 of a UDP datagram: no transport fields, protocol UDP.</summary>
    private static byte[] NonFirstFragment()
    {
        var frame = Build(b => b.Ethernet(Macs[0], Macs[1]).Ipv6("2001:db8::1", "2001:db8::2", extensionHeaders: [IpProtocol.Fragment]).Udp(53, 7000));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 40 + 2), 8 << 3);
        return frame;
    }

    /// <summary>Nine destination-options headers before UDP: one more than the parser walks.</summary>
    private static byte[] TooManyExtensionHeaders() =>
        Build(b => b.Ethernet(Macs[0], Macs[1]).Ipv6("2001:db8::1", "2001:db8::2", extensionHeaders: [.. Enumerable.Repeat(IpProtocol.DestinationOptions, 9)]).Udp(1000, 7000));

    /// <summary>A 0x9100 tag, then two 802.1Q tags: the third TPID is the EtherType.</summary>
    private static byte[] LegacyAndTripleTags()
    {
        var f = new List<byte>();
        Mac(f, Macs[0]);
        Mac(f, Macs[2]);
        foreach (var (tpid, tci) in new (ushort, ushort)[] { (EtherType.LegacyServiceVlan, 30), (EtherType.Vlan, 20), (EtherType.Vlan, 10) })
        {
            U16(f, tpid);
            U16(f, tci);
        }
        U16(f, EtherType.Ipv4);
        f.AddRange(Build(b => b.Ethernet(0, 0).Ipv4("198.18.0.1", "198.18.1.1").Udp(1, 7000))[14..]);
        return [.. f];
    }

    private void Ipv4(List<byte> f)
    {
        var start = f.Count;
        var options = 4 * Weighted(60, 15, 10, 5, 0, 0, 0, 0, 0, 0, 10);
        var ihl = _random.Next(100) < 5 ? _random.Next(16) : (20 + options) / 4;
        f.Add((byte)((_random.Next(100) < 4 ? 6 : 4) << 4 | ihl));
        f.Add((byte)((_random.Next(2) == 0 ? 46 : 0) << 2));
        U16(f, 0);
        U16(f, (ushort)_random.Next(0x10000));
        U16(f, (ushort)(_random.Next(100) < 15 ? _random.Next(1, 0x2000) | (_random.Next(2) << 13) : _random.Next(2) << 13));
        f.Add((byte)(_random.Next(2) == 0 ? 1 : 64));
        var protocol = Pick(Transports);
        f.Add(protocol);
        U16(f, 0);
        Address(f, Pick(Ipv4Addresses));
        Address(f, Pick(Ipv4Addresses));
        for (var i = 0; i < options; i++)
            f.Add(1);
        Transport(f, protocol);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(f)[(start + 2)..], IpLength(f.Count - start));
    }

    private void Ipv6(List<byte> f)
    {
        var start = f.Count;
        var trafficClass = (_random.Next(2) == 0 ? 46 : 0) << 2;
        f.Add((byte)((_random.Next(100) < 4 ? 4 : 6) << 4 | trafficClass >> 4));
        f.Add((byte)((trafficClass & 0x0F) << 4 | _random.Next(16)));
        U16(f, (ushort)_random.Next(0x10000));
        U16(f, 0);
        var chain = Enumerable.Range(0, Weighted(40, 20, 12, 8, 5, 4, 3, 2, 2, 4)).Select(_ => Pick(ExtensionHeaders)).ToArray();
        var protocol = Pick(Transports);
        f.Add(chain.Length > 0 ? chain[0] : protocol);
        f.Add((byte)(_random.Next(2) == 0 ? 1 : 64));
        Address(f, Pick(Ipv6Addresses));
        Address(f, Pick(Ipv6Addresses));
        for (var i = 0; i < chain.Length; i++)
            ExtensionHeader(f, chain[i], i + 1 < chain.Length ? chain[i + 1] : protocol);
        Transport(f, protocol);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(f)[(start + 4)..], IpLength(f.Count - start - 40));
    }

    private void ExtensionHeader(List<byte> f, byte kind, byte next)
    {
        f.Add(next);
        if (kind == IpProtocol.Fragment)
        {
            f.Add(0);
            U16(f, (ushort)((_random.Next(100) < 40 ? _random.Next(1, 0x2000) : 0) << 3 | _random.Next(2)));
            Bytes(f, 4);
            return;
        }
        var length = (byte)_random.Next(3);
        f.Add(length);
        Bytes(f, (kind == IpProtocol.AuthenticationHeader ? (length + 2) * 4 : (length + 1) * 8) - 2);
    }

    private void Transport(List<byte> f, byte protocol)
    {
        switch (protocol)
        {
            case IpProtocol.Udp or 132:
                Ports(f);
                U16(f, 8);
                U16(f, 0);
                break;
            case IpProtocol.Tcp:
                Ports(f);
                Bytes(f, 8);
                var dataOffset = _random.Next(100) < 10 ? _random.Next(16) : 5 + Weighted(80, 10, 10);
                f.Add((byte)(dataOffset << 4));
                f.Add(0x02);
                Bytes(f, 6);
                Bytes(f, Math.Max(0, dataOffset - 5) * 4);
                break;
            case IpProtocol.Icmp or IpProtocol.IcmpV6:
                f.Add((byte)Pick([0, 8, 128, 3]));
                f.Add((byte)_random.Next(2));
                Bytes(f, 6);
                break;
            case IpProtocol.Gre:
                U16(f, 0);
                U16(f, EtherType.Ipv4);
                break;
        }
        Bytes(f, Weighted(50, 0, 0, 0, 30, 0, 0, 0, 20) * 3);
    }

    private void Ports(List<byte> f)
    {
        U16(f, (ushort)(_random.Next(2) == 0 ? _random.Next(990, 1040) : Pick([53, 80, 7000, 40000])));
        U16(f, (ushort)(_random.Next(2) == 0 ? Pick([53, 80, 7000]) : _random.Next(990, 1040)));
    }

    /// <summary>An IP length field: mostly right, sometimes short (the rest is padding), long, or zero.</summary>
    private ushort IpLength(int actual) => Weighted(80, 8, 6, 6) switch
    {
        0 => (ushort)actual,
        1 => (ushort)_random.Next(0, actual + 1),
        2 => (ushort)(actual + _random.Next(1, 100)),
        _ => 0,
    };

    private void Bytes(List<byte> f, int count)
    {
        for (var i = 0; i < count; i++)
            f.Add((byte)_random.Next(256));
    }

    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    /// <summary>An index drawn with the given relative weights.</summary>
    private int Weighted(params int[] weights)
    {
        var roll = _random.Next(weights.Sum());
        for (var i = 0; ; i++)
        {
            roll -= weights[i];
            if (roll < 0)
                return i;
        }
    }

    private static void Mac(List<byte> f, ulong mac)
    {
        for (var i = 5; i >= 0; i--)
            f.Add((byte)(mac >> (8 * i)));
    }

    private static void U16(List<byte> f, ushort value)
    {
        f.Add((byte)(value >> 8));
        f.Add((byte)value);
    }

    private static void Address(List<byte> f, string address) => f.AddRange(IPAddress.Parse(address).GetAddressBytes());
}
