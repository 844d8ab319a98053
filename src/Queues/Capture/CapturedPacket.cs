namespace PdCluster.Queues.Capture;

/// <summary>One packet from a capture file.</summary>
/// <param name="Index">Position in the file, from 0.</param>
/// <param name="LinkType">The interface's link type (1 is Ethernet).</param>
/// <param name="OriginalLength">Length on the wire; <see cref="Data"/> may be shorter (snap length).</param>
/// <param name="Offset">Byte offset in the file of the packet's record or block.</param>
public sealed record CapturedPacket(int Index, int LinkType, byte[] Data, int OriginalLength, long Offset);
