using System.Buffers.Binary;

namespace PdCluster.Tests.Queues;

/// <summary>Builds classic pcap files in either byte order, micro- or nanosecond, remembering where each length field is.</summary>
internal sealed class PcapBuilder
{
    private readonly MemoryStream _file = new();
    private readonly List<CaptureField> _fields = [];
    private readonly List<byte[]> _frames = [];
    private readonly bool _bigEndian;

    public PcapBuilder(bool bigEndian = false, bool nanoseconds = false, uint snapLength = 65535)
    {
        _bigEndian = bigEndian;
        Write32(nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u, field: false);
        Write16(2, field: true);
        Write16(4, field: false);
        Write32(0, field: false);
        Write32(0, field: false);
        Write32(snapLength, field: true);
        Write32(1, field: true);
    }

    public PcapBuilder Packet(byte[] frame, uint? original = null)
    {
        Write32(1_700_000_000, field: false);
        Write32(5, field: false);
        Write32((uint)frame.Length, field: true);
        Write32(original ?? (uint)frame.Length, field: true);
        _file.Write(frame);
        _frames.Add(frame);
        return this;
    }

    public CaptureTemplate Build(string name) => new(name, _file.ToArray(), [.. _frames], [.. _fields]);

    private void Write32(uint value, bool field)
    {
        Span<byte> b = stackalloc byte[4];
        if (_bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        if (field)
            _fields.Add(new CaptureField((int)_file.Position, 4, _bigEndian));
        _file.Write(b);
    }

    private void Write16(ushort value, bool field)
    {
        Span<byte> b = stackalloc byte[2];
        if (_bigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        if (field)
            _fields.Add(new CaptureField((int)_file.Position, 2, _bigEndian));
        _file.Write(b);
    }
}
