using System.Buffers.Binary;

namespace PdCluster.Queues.Capture;

/// <summary>
/// Reads classic pcap (micro- or nanosecond, either byte order) and pcapng (sections, several interfaces, enhanced
/// and simple packet blocks). A damaged file fails with <see cref="InvalidDataException"/> naming the offset.
/// </summary>
public static class CaptureFile
{
    /// <summary>The Ethernet link type.</summary>
    public const int Ethernet = 1;

    /// <summary>Reads every packet of <paramref name="stream"/>.</summary>
    public static IEnumerable<CapturedPacket> Read(Stream stream)
    {
        var head = new byte[4];
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
            throw new InvalidDataException("The capture file is shorter than any header.");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
        return magic switch
        {
            0xA1B2C3D4 or 0xD4C3B2A1 or 0xA1B23C4D or 0x4D3CB2A1 => ReadPcap(stream, head),
            0x0A0D0D0A => ReadPcapNg(stream, head),
            _ => throw new InvalidDataException($"Not a pcap or pcapng file (magic 0x{magic:x8})."),
        };
    }

    private static IEnumerable<CapturedPacket> ReadPcap(Stream stream, byte[] magic)
    {
        var bigEndian = magic[0] == 0xA1;
        var header = new byte[20];
        ReadExactly(stream, header, 4);
        var linkType = (int)(U32(header.AsSpan(16), bigEndian) & 0xFFFF);
        var record = new byte[16];
        long offset = 24;
        for (var index = 0; ; index++)
        {
            var got = stream.ReadAtLeast(record, 16, throwOnEndOfStream: false);
            if (got == 0)
                yield break;
            if (got < 16)
                throw new InvalidDataException($"Packet {index} at offset {offset}: the record header is cut short.");
            var captured = U32(record.AsSpan(8), bigEndian);
            var original = U32(record.AsSpan(12), bigEndian);
            if (captured > 262_144)
                throw new InvalidDataException($"Packet {index} at offset {offset}: captured length {captured} is not believable.");
            var data = new byte[captured];
            ReadExactly(stream, data, offset + 16);
            offset += 16 + captured;
            yield return new CapturedPacket(index, linkType, data, (int)original);
        }
    }

    private static IEnumerable<CapturedPacket> ReadPcapNg(Stream stream, byte[] firstType)
    {
        var interfaces = new List<(int LinkType, int SnapLength)>();
        var bigEndian = false;
        var index = 0;
        long offset = 0;
        var type = firstType;
        while (true)
        {
            var lengthBytes = new byte[4];
            ReadExactly(stream, lengthBytes, offset + 4);
            uint blockType;
            uint length;
            byte[] body;
            if (BinaryPrimitives.ReadUInt32LittleEndian(type) == 0x0A0D0D0A)
            {
                var bom = new byte[4];
                ReadExactly(stream, bom, offset + 8);
                bigEndian = BinaryPrimitives.ReadUInt32LittleEndian(bom) == 0x4D3C2B1A;
                length = U32(lengthBytes, bigEndian);
                Check(length, offset);
                body = new byte[length - 8];
                bom.CopyTo(body, 0);
                ReadExactly(stream, body.AsSpan(4), offset + 12);
                interfaces.Clear();
                blockType = 0x0A0D0D0A;
            }
            else
            {
                length = U32(lengthBytes, bigEndian);
                Check(length, offset);
                body = new byte[length - 8];
                ReadExactly(stream, body, offset + 8);
                blockType = U32(type, bigEndian);
            }

            switch (blockType)
            {
                case 1:
                    interfaces.Add((U16(body, bigEndian), (int)U32(body.AsSpan(4), bigEndian)));
                    break;
                case 6:
                {
                    var iface = (int)U32(body, bigEndian);
                    var captured = (int)U32(body.AsSpan(12), bigEndian);
                    var original = (int)U32(body.AsSpan(16), bigEndian);
                    if (iface >= interfaces.Count)
                        throw new InvalidDataException($"Packet {index} at offset {offset}: interface {iface} was never described.");
                    if (captured < 0 || 20 + captured > body.Length - 4)
                        throw new InvalidDataException($"Packet {index} at offset {offset}: captured length {captured} runs past its block.");
                    yield return new CapturedPacket(index++, interfaces[iface].LinkType, body.AsSpan(20, captured).ToArray(), original);
                    break;
                }
                case 3:
                {
                    if (interfaces.Count == 0)
                        throw new InvalidDataException($"Packet {index} at offset {offset}: no interface was described.");
                    var original = (int)U32(body, bigEndian);
                    var captured = Math.Min(original, Math.Min(body.Length - 8, interfaces[0].SnapLength == 0 ? int.MaxValue : interfaces[0].SnapLength));
                    yield return new CapturedPacket(index++, interfaces[0].LinkType, body.AsSpan(4, captured).ToArray(), original);
                    break;
                }
            }

            offset += length;
            type = new byte[4];
            if (stream.ReadAtLeast(type, 4, throwOnEndOfStream: false) < 4)
                yield break;
        }
    }

    private static void Check(uint length, long offset)
    {
        if (length < 12 || length % 4 != 0 || length > 16 << 20)
            throw new InvalidDataException($"Block at offset {offset} has an impossible length {length}.");
    }

    private static void ReadExactly(Stream stream, Span<byte> into, long offset)
    {
        if (stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) < into.Length)
            throw new InvalidDataException($"The file ends inside the structure at offset {offset}.");
    }

    private static void ReadExactly(Stream stream, byte[] into, long offset) => ReadExactly(stream, into.AsSpan(), offset);

    private static uint U32(ReadOnlySpan<byte> s, bool bigEndian) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private static int U16(ReadOnlySpan<byte> s, bool bigEndian) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
}
