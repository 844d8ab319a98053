using System.Buffers.Binary;

namespace PdCluster.Queues.Capture;

/// <summary>
/// pcapng, block by block, refusing what tshark refuses: an unknown byte-order magic or section version, a block
/// total length below the block's minimum, not a multiple of 4, too large or not repeated at the block's end, a packet
/// on an interface the section never described, a captured length larger than a capture holds or than its block, and
/// options that run past their block.
/// </summary>
internal sealed class PcapNgReader
{
    /// <summary>The section header block's type, the same in either byte order; the first four bytes of every pcapng file.</summary>
    public const uint SectionHeaderType = 0x0A0D0D0A;

    private const uint InterfaceDescriptionType = 1;
    private const uint ObsoletePacketType = 2;
    private const uint SimplePacketType = 3;
    private const uint EnhancedPacketType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint SwappedByteOrderMagic = 0x4D3C2B1A;

    /// <summary>tshark's largest block: an enhanced packet block holding the largest packet of any link type (128 MiB) and 128 KiB of options.</summary>
    private const uint MaxBlockLength = 32 + (128u << 20) + (128u << 10);

    private const int BlockHeaderLength = 8;

    private readonly CaptureInput _input;
    private readonly List<(int LinkType, uint SnapLength)> _interfaces = [];
    private readonly byte[] _header = new byte[BlockHeaderLength];
    private bool _bigEndian;
    private int _index;

    private PcapNgReader(CaptureInput input) => _input = input;

    /// <summary>The packets of a pcapng file whose first four bytes (the section header block's type) were read.</summary>
    public static IEnumerable<CapturedPacket> Read(CaptureInput input)
    {
        var reader = new PcapNgReader(input);
        BinaryPrimitives.WriteUInt32LittleEndian(reader._header, SectionHeaderType);
        var got = 4 + input.Read(reader._header.AsSpan(4));
        while (reader.NextPacket(got) is { } packet)
        {
            yield return packet;
            got = input.Read(reader._header);
        }
    }

    /// <summary>
    /// Reads blocks, the first one's header already in <see cref="_header"/> (<paramref name="got"/> bytes of it), until
    /// one holds a packet; null at the end of the file.
    /// </summary>
    private CapturedPacket? NextPacket(int got)
    {
        while (true)
        {
            if (got == 0)
                return null;
            var offset = _input.Position - got;
            if (got < BlockHeaderLength)
                throw CaptureFormatException.Before(_index, offset, $"the file ends inside a block header ({got} of {BlockHeaderLength} bytes).");
            var packet = ReadBlock(offset);
            if (packet is not null)
                return packet;
            got = _input.Read(_header);
        }
    }

    /// <summary>Reads and checks the block whose header is in <see cref="_header"/>; returns its packet, if it holds one.</summary>
    private CapturedPacket? ReadBlock(long offset)
    {
        byte[] body;
        uint type;
        uint length;
        if (BinaryPrimitives.ReadUInt32LittleEndian(_header) == SectionHeaderType)
        {
            // The byte-order magic decides how to read this block's length and everything up to the next section.
            type = SectionHeaderType;
            var magic = new byte[4];
            if (_input.Read(magic) < magic.Length)
                throw Fail(type, offset, "the file ends before its byte-order magic.");
            _bigEndian = BinaryPrimitives.ReadUInt32LittleEndian(magic) switch
            {
                ByteOrderMagic => false,
                SwappedByteOrderMagic => true,
                var other => throw Fail(type, offset, $"byte-order magic 0x{other:x8} is neither 0x{ByteOrderMagic:x8} nor its byte swap."),
            };
            length = U32(_header.AsSpan(4));
            CheckLength(type, length, offset);
            var rest = _input.ReadUpTo((int)length - BlockHeaderLength - magic.Length);
            body = [.. magic, .. rest];
        }
        else
        {
            type = U32(_header);
            length = U32(_header.AsSpan(4));
            CheckLength(type, length, offset);
            body = _input.ReadUpTo((int)length - BlockHeaderLength);
        }
        if (body.Length < length - BlockHeaderLength)
            throw Fail(type, offset, $"the file ends inside the block ({BlockHeaderLength + body.Length} of its {length} bytes).");
        var trailing = U32(body.AsSpan(body.Length - 4));
        if (trailing != length)
            throw Fail(type, offset, $"the block's trailing total length {trailing} differs from its leading {length}.");
        return Interpret(type, body.AsSpan(0, body.Length - 4), body, offset);
    }

    /// <summary>What a block of <paramref name="type"/> means; <paramref name="content"/> is its body between the lengths.</summary>
    private CapturedPacket? Interpret(uint type, ReadOnlySpan<byte> content, byte[] body, long offset)
    {
        switch (type)
        {
            case SectionHeaderType:
            {
                var major = U16(content[4..]);
                var minor = U16(content[6..]);
                if (major != 1 || minor is not (0 or 2))
                    throw Fail(type, offset, $"version {major}.{minor} is not one tshark reads (1.0 or 1.2).");
                CheckOptions(type, content, 16, offset);
                _interfaces.Clear();
                return null;
            }
            case InterfaceDescriptionType:
                CheckOptions(type, content, 8, offset);
                _interfaces.Add((U16(content), U32(content[4..])));
                return null;
            case EnhancedPacketType:
                return Packet(type, U32(content), content, body, offset);
            case ObsoletePacketType:
                return Packet(type, U16(content), content, body, offset);
            case SimplePacketType:
            {
                if (_interfaces.Count == 0)
                    throw Fail(type, offset, "no interface was described before it in this section.");
                var original = U32(content);
                var snap = _interfaces[0].SnapLength;
                var captured = snap != 0 && original > snap ? snap : original;
                CheckCaptured(type, captured, offset);
                if (4 + Pad4(captured) > content.Length)
                    throw Fail(type, offset, $"original length {original} runs past the block ({content.Length - 4} bytes of packet data).");
                return Emit(_interfaces[0].LinkType, body.AsSpan(4, (int)captured), original, type, offset);
            }
            default:
                return null;
        }
    }

    /// <summary>An enhanced or obsolete packet block: interface, time stamp, captured and original length, data, options.</summary>
    private CapturedPacket Packet(uint type, uint iface, ReadOnlySpan<byte> content, byte[] body, long offset)
    {
        const int fixedLength = 20;
        var captured = U32(content[12..]);
        var original = U32(content[16..]);
        if (iface >= _interfaces.Count)
            throw Fail(type, offset, $"interface {iface} was never described (this section describes {_interfaces.Count}).");
        CheckCaptured(type, captured, offset);
        if (fixedLength + Pad4(captured) > content.Length)
            throw Fail(type, offset, $"captured length {captured} runs past the block ({content.Length - fixedLength} bytes of packet data and options).");
        CheckOptions(type, content, fixedLength + (int)Pad4(captured), offset);
        return Emit(_interfaces[(int)iface].LinkType, body.AsSpan(fixedLength, (int)captured), original, type, offset);
    }

    private CapturedPacket Emit(int linkType, ReadOnlySpan<byte> data, uint original, uint type, long offset)
    {
        if (original > int.MaxValue)
            throw Fail(type, offset, $"original length {original} is larger than any frame.");
        return new CapturedPacket(_index++, linkType, data.ToArray(), (int)original, offset);
    }

    private void CheckCaptured(uint type, uint captured, long offset)
    {
        if (captured > CaptureFile.MaxCapturedLength)
            throw Fail(type, offset, $"captured length {captured} is larger than {CaptureFile.MaxCapturedLength}, the most a capture holds of one packet.");
    }

    private void CheckLength(uint type, uint length, long offset)
    {
        var minimum = MinimumLength(type);
        if (length < minimum)
            throw Fail(type, offset, $"block total length {length} is below the minimum {minimum}.");
        if (length % 4 != 0)
            throw Fail(type, offset, $"block total length {length} is not a multiple of 4.");
        if (length > MaxBlockLength)
            throw Fail(type, offset, $"block total length {length} is larger than {MaxBlockLength}, the largest block tshark reads.");
    }

    /// <summary>Options from <paramref name="start"/>: each a code, a length and a value padded to 4 bytes, up to opt_endofopt or the block's end.</summary>
    private void CheckOptions(uint type, ReadOnlySpan<byte> content, int start, long offset)
    {
        var at = start;
        while (at < content.Length)
        {
            if (content.Length - at < 4)
                throw Fail(type, offset, $"{content.Length - at} bytes at the end of its options are too few for an option header.");
            var code = U16(content[at..]);
            var length = U16(content[(at + 2)..]);
            at += 4;
            if (code == 0)
                return;
            if (Pad4(length) > content.Length - at)
                throw Fail(type, offset, $"option {code} of length {length} runs past the block.");
            at += (int)Pad4(length);
        }
    }

    private static uint MinimumLength(uint type) => type switch
    {
        SectionHeaderType => 28,
        InterfaceDescriptionType => 20,
        EnhancedPacketType or ObsoletePacketType => 32,
        SimplePacketType => 16,
        _ => 12,
    };

    private static string Name(uint type) => type switch
    {
        SectionHeaderType => "section header block",
        InterfaceDescriptionType => "interface description block",
        EnhancedPacketType => "enhanced packet block",
        ObsoletePacketType => "packet block",
        SimplePacketType => "simple packet block",
        _ => $"block of type 0x{type:x8}",
    };

    /// <summary>A problem in a block: a packet block's names the packet it holds, any other the packet that would come next.</summary>
    private CaptureFormatException Fail(uint type, long offset, string problem) =>
        type is EnhancedPacketType or ObsoletePacketType or SimplePacketType
            ? CaptureFormatException.InPacket(_index, offset, $"{Name(type)}: {problem}")
            : CaptureFormatException.Before(_index, offset, $"{Name(type)}: {problem}");

    private static uint Pad4(uint length) => (length + 3) & ~3u;

    private uint U32(ReadOnlySpan<byte> s) => CaptureInput.U32(s, _bigEndian);

    private ushort U16(ReadOnlySpan<byte> s) => CaptureInput.U16(s, _bigEndian);
}
