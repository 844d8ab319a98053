using System.Buffers.Binary;
using System.Text;

namespace PdCluster.Tests.Provider.Netlink;

/// <summary>Writes rtnetlink datagrams as the kernel lays them out: aligned headers, an ifinfomsg and attributes for links.</summary>
internal sealed class NetlinkBuilder
{
    private readonly List<byte> _bytes = [];

    public NetlinkBuilder Link(ushort type, int index, uint flags, string? name, byte? operState, uint sequence = 0)
    {
        var info = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), flags);
        List<byte> body = [.. info];
        Attribute(body, 4, BitConverter.GetBytes(1500));
        if (name is not null)
            Attribute(body, 3, [.. Encoding.UTF8.GetBytes(name), 0]);
        if (operState is { } state)
            Attribute(body, 16, [state]);
        Attribute(body, 0x8000 | 26, new byte[9]);
        return Message(type, sequence, [.. body]);
    }

    public NetlinkBuilder Done(uint sequence) => Message(3, sequence, new byte[4]);

    public NetlinkBuilder Error(uint sequence, int errno)
    {
        var body = new byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(body, errno);
        return Message(2, sequence, body);
    }

    public NetlinkBuilder Other(ushort type) => Message(type, 0, new byte[7]);

    public byte[] Build() => [.. _bytes];

    private NetlinkBuilder Message(ushort type, uint sequence, byte[] body)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(16 + body.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), type);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), sequence);
        _bytes.AddRange(header);
        _bytes.AddRange(body);
        Pad(_bytes);
        return this;
    }

    private static void Attribute(List<byte> body, ushort type, byte[] value)
    {
        body.AddRange(BitConverter.GetBytes((ushort)(4 + value.Length)));
        body.AddRange(BitConverter.GetBytes(type));
        body.AddRange(value);
        Pad(body);
    }

    private static void Pad(List<byte> bytes)
    {
        while (bytes.Count % 4 != 0)
            bytes.Add(0);
    }
}
