using System.Buffers.Binary;

namespace PdCluster.Tests.Queues;

/// <summary>
/// Builds pcapng files block by block (sections in either byte order, interfaces, enhanced, simple and obsolete packet
/// blocks, blocks of other types, options), remembering where each length, interface and version field is.
/// </summary>
internal sealed class PcapNgBuilder
{
    private readonly MemoryStream _file = new();
    private readonly List<CaptureField> _fields = [];
    private readonly List<byte[]> _frames = [];
    private bool _bigEndian;

    /// <summary>A section header block; what follows is written in its byte order.</summary>
    public PcapNgBuilder Section(bool bigEndian = false, ushort major = 1, ushort minor = 0, params (ushort Code, byte[] Value)[] options)
    {
        _bigEndian = bigEndian;
        var body = new Body(bigEndian);
        body.U32(0x1A2B3C4D);
        body.U16(major, field: true);
        body.U16(minor, field: true);
        body.U64(ulong.MaxValue);
        body.Options(options);
        return Block(0x0A0D0D0A, body);
    }

    public PcapNgBuilder Interface(ushort linkType = 1, uint snapLength = 65535, params (ushort Code, byte[] Value)[] options)
    {
        var body = new Body(_bigEndian);
        body.U16(linkType, field: true);
        body.U16(0);
        body.U32(snapLength, field: true);
        body.Options(options);
        return Block(1, body);
    }

    public PcapNgBuilder Enhanced(uint iface, byte[] frame, params (ushort Code, byte[] Value)[] options)
    {
        var body = new Body(_bigEndian);
        body.U32(iface, field: true);
        body.U32(0x0006_0000);
        body.U32(0x1234_5678);
        body.U32((uint)frame.Length, field: true);
        body.U32((uint)frame.Length, field: true);
        body.Padded(frame);
        body.Options(options);
        _frames.Add(frame);
        return Block(6, body);
    }

    /// <summary>The obsolete packet block: a 16-bit interface id and a drops count where the enhanced block has 32 bits of id.</summary>
    public PcapNgBuilder Obsolete(ushort iface, byte[] frame)
    {
        var body = new Body(_bigEndian);
        body.U16(iface, field: true);
        body.U16(0);
        body.U32(0);
        body.U32(0);
        body.U32((uint)frame.Length, field: true);
        body.U32((uint)frame.Length, field: true);
        body.Padded(frame);
        _frames.Add(frame);
        return Block(2, body);
    }

    /// <summary>A simple packet block: the original length, then the frame, cut to the first interface's snap length.</summary>
    public PcapNgBuilder Simple(byte[] frame)
    {
        var body = new Body(_bigEndian);
        body.U32((uint)frame.Length, field: true);
        body.Padded(frame);
        _frames.Add(frame);
        return Block(3, body);
    }

    /// <summary>A block this reader skips (a name resolution block, a custom block...), with <paramref name="length"/> bytes of body.</summary>
    public PcapNgBuilder Other(uint type, int length)
    {
        var body = new Body(_bigEndian);
        body.Padded(new byte[length]);
        return Block(type, body);
    }

    public CaptureTemplate Build(string name) => new(name, _file.ToArray(), [.. _frames], [.. _fields]);

    private PcapNgBuilder Block(uint type, Body body)
    {
        var start = (int)_file.Position;
        var length = (uint)(12 + body.Bytes.Length);
        Span<byte> word = stackalloc byte[4];
        WriteU32(word, type);
        _file.Write(word);
        WriteU32(word, length);
        _fields.Add(new CaptureField(start + 4, 4, _bigEndian));
        _file.Write(word);
        foreach (var f in body.Fields)
            _fields.Add(f with { Position = start + 8 + f.Position });
        _file.Write(body.Bytes);
        _fields.Add(new CaptureField((int)_file.Position, 4, _bigEndian));
        _file.Write(word);
        return this;
    }

    private void WriteU32(Span<byte> into, uint value)
    {
        if (_bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(into, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(into, value);
    }

    /// <summary>A block's body as it is written, with its fields' positions relative to the body's start.</summary>
    private sealed class Body(bool bigEndian)
    {
        private readonly MemoryStream _bytes = new();

        public List<CaptureField> Fields { get; } = [];

        public byte[] Bytes => _bytes.ToArray();

        public void U16(ushort value, bool field = false)
        {
            Span<byte> b = stackalloc byte[2];
            if (bigEndian)
                BinaryPrimitives.WriteUInt16BigEndian(b, value);
            else
                BinaryPrimitives.WriteUInt16LittleEndian(b, value);
            Mark(field, 2);
            _bytes.Write(b);
        }

        public void U32(uint value, bool field = false)
        {
            Span<byte> b = stackalloc byte[4];
            if (bigEndian)
                BinaryPrimitives.WriteUInt32BigEndian(b, value);
            else
                BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            Mark(field, 4);
            _bytes.Write(b);
        }

        public void U64(ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            if (bigEndian)
                BinaryPrimitives.WriteUInt64BigEndian(b, value);
            else
                BinaryPrimitives.WriteUInt64LittleEndian(b, value);
            _bytes.Write(b);
        }

        public void Padded(byte[] data)
        {
            _bytes.Write(data);
            _bytes.Write(new byte[(4 - data.Length % 4) % 4]);
        }

        /// <summary>The options, then opt_endofopt; nothing at all when there are none.</summary>
        public void Options((ushort Code, byte[] Value)[] options)
        {
            if (options.Length == 0)
                return;
            foreach (var (code, value) in options)
            {
                U16(code);
                U16((ushort)value.Length, field: true);
                Padded(value);
            }
            U16(0);
            U16(0);
        }

        private void Mark(bool field, int size)
        {
            if (field)
                Fields.Add(new CaptureField((int)_bytes.Position, size, bigEndian));
        }
    }
}
