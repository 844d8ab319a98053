namespace PdCluster.Queues.Capture;

/// <summary>
/// A capture file breaks its format. The message names the packet (index from 0), the byte offset of the record or
/// block that is wrong, and the problem; the reader throws nothing else for a damaged file.
/// </summary>
public sealed class CaptureFormatException : FormatException
{
    /// <summary>A problem in packet <paramref name="packetIndex"/>'s own record or block.</summary>
    public static CaptureFormatException InPacket(int packetIndex, long offset, string problem) =>
        new(packetIndex, offset, problem, $"packet {packetIndex} at offset {offset}: {problem}");

    /// <summary>A problem in a header or block that is not a packet; <paramref name="packetIndex"/> is the packet that would come next.</summary>
    public static CaptureFormatException Before(int packetIndex, long offset, string problem) =>
        new(packetIndex, offset, problem, $"offset {offset}, before packet {packetIndex}: {problem}");

    private CaptureFormatException(int packetIndex, long offset, string problem, string message)
        : base(message)
    {
        PacketIndex = packetIndex;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The packet the problem is in, or the one that would have come next.</summary>
    public int PacketIndex { get; }

    /// <summary>Byte offset in the file of the record or block that is wrong.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }
}
