using System.Buffers.Binary;
using System.Text;

namespace PdCluster.Node.Admin;

/// <summary>
/// The body of a capture answer from the admin endpoint: frame records, then one end record. A frame record is
/// <c>'F'</c>, the time (int64, 100 ns ticks since 1970), the original length and the captured length (int32 each,
/// little-endian), then the captured bytes; the end record is <c>'E'</c>, frames captured and frames dropped (int64
/// each), and why the capture ended early as UTF-8 after its byte count (int32; 0 when it got every frame asked for or
/// the reader left).
/// </summary>
internal static class CaptureStream
{
    /// <summary>The response header that carries the capture's snap length.</summary>
    public const string SnapLengthHeader = "Pd-Snap-Length";

    /// <summary>The media type of the body.</summary>
    public const string MediaType = "application/vnd.pd.capture";

    private const byte FrameKind = (byte)'F';
    private const byte EndKind = (byte)'E';
    private const int FrameHeader = 17;

    /// <summary>Room a frame record of at most <paramref name="snapLength"/> bytes needs.</summary>
    public static int RecordSize(int snapLength) => FrameHeader + snapLength;

    /// <summary>Lays a frame record out in <paramref name="record"/> around the <paramref name="captured"/> bytes already at <see cref="FrameData"/>; returns its length.</summary>
    public static int FrameRecord(Span<byte> record, long unixTicks, int originalLength, int captured)
    {
        record[0] = FrameKind;
        BinaryPrimitives.WriteInt64LittleEndian(record[1..], unixTicks);
        BinaryPrimitives.WriteInt32LittleEndian(record[9..], originalLength);
        BinaryPrimitives.WriteInt32LittleEndian(record[13..], captured);
        return FrameHeader + captured;
    }

    /// <summary>Where a frame record's bytes start.</summary>
    public static Range FrameData => FrameHeader..;

    /// <summary>The end record.</summary>
    public static byte[] EndRecord(long captured, long dropped, string? reason)
    {
        var text = Encoding.UTF8.GetBytes(reason ?? "");
        var record = new byte[21 + text.Length];
        record[0] = EndKind;
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(1), captured);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(9), dropped);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(17), text.Length);
        text.CopyTo(record, 21);
        return record;
    }

    /// <summary>
    /// Reads records from <paramref name="body"/>, handing each frame to <paramref name="frame"/>, until the end record,
    /// which it returns. A body that ends before it, or holds a record that does not fit <paramref name="snapLength"/>,
    /// throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static async Task<CaptureEnd> ReadAsync(Stream body, int snapLength, Action<ReadOnlyMemory<byte>, int, DateTimeOffset> frame, CancellationToken cancel)
    {
        var buffer = new byte[Math.Max(RecordSize(snapLength), 21)];
        while (true)
        {
            await Fill(body, buffer.AsMemory(0, 1), cancel);
            switch (buffer[0])
            {
                case FrameKind:
                    await Fill(body, buffer.AsMemory(1, FrameHeader - 1), cancel);
                    var ticks = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(1));
                    var original = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(9));
                    var captured = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(13));
                    if (captured < 0 || captured > snapLength || original < captured || ticks < 0 || ticks > DateTimeOffset.MaxValue.Ticks - DateTime.UnixEpoch.Ticks)
                        throw new InvalidDataException($"a frame record of {captured} bytes captured, {original} on the wire, at tick {ticks}, does not fit the snap length {snapLength}.");
                    await Fill(body, buffer.AsMemory(FrameHeader, captured), cancel);
                    frame(buffer.AsMemory(FrameHeader, captured), original, new DateTimeOffset(DateTime.UnixEpoch.Ticks + ticks, TimeSpan.Zero));
                    break;
                case EndKind:
                    await Fill(body, buffer.AsMemory(1, 20), cancel);
                    var reasonLength = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(17));
                    if (reasonLength is < 0 or > 4096)
                        throw new InvalidDataException($"an end record's reason of {reasonLength} bytes.");
                    var reason = new byte[reasonLength];
                    await Fill(body, reason, cancel);
                    return new CaptureEnd(BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(1)), BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(9)),
                        reasonLength == 0 ? null : Encoding.UTF8.GetString(reason));
                default:
                    throw new InvalidDataException($"a record of unknown kind 0x{buffer[0]:x2}.");
            }
        }
    }

    private static async Task Fill(Stream body, Memory<byte> into, CancellationToken cancel)
    {
        try
        {
            await body.ReadExactlyAsync(into, cancel);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the stream ended before the capture's end record.");
        }
    }
}

/// <summary>How a capture ended: frames captured, frames dropped because the reader lagged, and why it ended early (null when it did not).</summary>
internal sealed record CaptureEnd(long Captured, long Dropped, string? Reason);
