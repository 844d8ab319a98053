using System.Buffers.Binary;

namespace PdCluster.Queues.Capture;

/// <summary>Writes classic pcap files (microsecond timestamps, Ethernet), readable by Wireshark and tcpdump.</summary>
public sealed class PcapWriter : ICaptureWriter
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;

    /// <summary>Writes the file header to <paramref name="stream"/>, which the writer closes unless <paramref name="leaveOpen"/>.</summary>
    public PcapWriter(Stream stream, int snapLength = 65535, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], CaptureFile.Ethernet);
        _stream.Write(header);
    }

    /// <summary>Appends one frame stamped <paramref name="time"/>.</summary>
    public void Write(ReadOnlySpan<byte> frame, DateTimeOffset time) => Write(frame, frame.Length, time);

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> data, int originalLength, DateTimeOffset time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(originalLength, data.Length);
        Span<byte> record = stackalloc byte[16];
        var micros = time.ToUnixTimeMilliseconds() * 1000 + time.Ticks % TimeSpan.TicksPerMillisecond / 10;
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)originalLength);
        _stream.Write(record);
        _stream.Write(data);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
