using System.Buffers.Binary;

namespace PdCluster.Queues.Capture;

/// <summary>
/// The capture stream as the readers see it: exact reads that report how much arrived, and a block read whose buffer
/// grows only as data arrives, so a length field that lies costs no more memory than the file holds.
/// </summary>
internal sealed class CaptureInput(Stream stream)
{
    private const int FirstChunk = 64 * 1024;

    /// <summary>Bytes consumed so far: the offset of the next read.</summary>
    public long Position { get; private set; }

    /// <summary>Fills <paramref name="into"/> as far as the stream allows; returns how many bytes arrived.</summary>
    public int Read(Span<byte> into)
    {
        var got = stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        Position += got;
        return got;
    }

    /// <summary>Reads up to <paramref name="length"/> bytes; the array holds what arrived, shorter when the file ends first.</summary>
    public byte[] ReadUpTo(int length)
    {
        var buffer = new byte[Math.Min(length, FirstChunk)];
        var got = 0;
        while (got < length)
        {
            if (got == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, length));
            var n = stream.Read(buffer, got, buffer.Length - got);
            if (n == 0)
            {
                Array.Resize(ref buffer, got);
                break;
            }
            got += n;
        }
        Position += got;
        return buffer;
    }

    public static uint U32(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    public static ushort U16(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
}
