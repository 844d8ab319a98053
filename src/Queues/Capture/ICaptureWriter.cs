namespace PdCluster.Queues.Capture;

/// <summary>Writes captured frames to a capture file (<see cref="PcapWriter"/>, <see cref="PcapNgWriter"/>).</summary>
public interface ICaptureWriter : IDisposable
{
    /// <summary>Appends the first bytes of a frame, <paramref name="data"/>, of <paramref name="originalLength"/> bytes on the wire, stamped <paramref name="time"/>.</summary>
    void Write(ReadOnlySpan<byte> data, int originalLength, DateTimeOffset time);
}
