using System.Buffers.Binary;
using PdCluster.Queues.Packets;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// The Toeplitz RSS hash over the IP addresses and, for TCP and UDP, the ports, with Microsoft's standard 40-byte key,
/// computed from per-byte lookup tables (one XOR per input byte instead of one per bit).
/// </summary>
public sealed class ToeplitzHash
{
    /// <summary>The RSS key from Microsoft's RSS specification, used by most NICs by default.</summary>
    public static ReadOnlySpan<byte> StandardKey =>
    [
        0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
        0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
        0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
    ];

    private const int MaxInput = 36;
    private readonly uint[] _table = new uint[MaxInput * 256];

    /// <summary>Builds the tables for <paramref name="key"/> (at least 40 bytes).</summary>
    public ToeplitzHash(ReadOnlySpan<byte> key)
    {
        if (key.Length < 40)
            throw new ArgumentException("An RSS key has at least 40 bytes.", nameof(key));
        for (var position = 0; position < MaxInput; position++)
        {
            for (var value = 0; value < 256; value++)
            {
                uint h = 0;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((value & (0x80 >> bit)) != 0)
                        h ^= Window(key, position * 8 + bit);
                }
                _table[position * 256 + value] = h;
            }
        }
    }

    /// <summary>A hasher with <see cref="StandardKey"/>.</summary>
    public static ToeplitzHash Standard { get; } = new(StandardKey);

    /// <summary>Hashes arbitrary input bytes (at most 36).</summary>
    public uint Hash(ReadOnlySpan<byte> input)
    {
        uint h = 0;
        for (var i = 0; i < input.Length; i++)
            h ^= _table[i * 256 + input[i]];
        return h;
    }

    /// <summary>The RSS hash of a parsed packet: 4-tuple for TCP/UDP over IP, 2-tuple for other IP, 0 otherwise.</summary>
    public uint Hash(in PacketInfo packet)
    {
        Span<byte> input = stackalloc byte[MaxInput];
        var version = (int)(ulong)packet.Key.Get(MatchField.IpVersion);
        int length;
        if (version == 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input, (uint)packet.Key.Get(MatchField.SourceIp));
            BinaryPrimitives.WriteUInt32BigEndian(input[4..], (uint)packet.Key.Get(MatchField.DestinationIp));
            length = 8;
        }
        else if (version == 6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(input, packet.Key.Get(MatchField.SourceIp));
            BinaryPrimitives.WriteUInt128BigEndian(input[16..], packet.Key.Get(MatchField.DestinationIp));
            length = 32;
        }
        else
        {
            return 0;
        }
        var protocol = (int)(ulong)packet.Key.Get(MatchField.Protocol);
        if (packet.Depth == ParseDepth.Transport && protocol is 6 or 17)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[length..], (ushort)packet.Key.Get(MatchField.SourcePort));
            BinaryPrimitives.WriteUInt16BigEndian(input[(length + 2)..], (ushort)packet.Key.Get(MatchField.DestinationPort));
            length += 4;
        }
        return Hash(input[..length]);
    }

    private static uint Window(ReadOnlySpan<byte> key, int bit)
    {
        uint w = 0;
        for (var i = 0; i < 32; i++)
        {
            var b = bit + i;
            w = (w << 1) | (uint)((key[b / 8] >> (7 - b % 8)) & 1);
        }
        return w;
    }
}
