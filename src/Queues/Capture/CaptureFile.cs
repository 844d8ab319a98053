using System.Buffers.Binary;

namespace PdCluster.Queues.Capture;

/// <summary>
/// Reads classic pcap (micro- or nanosecond, either byte order) and pcapng (sections in either byte order, several
/// interfaces, enhanced, simple and obsolete packet blocks), as strictly as tshark does. A damaged file fails with
/// <see cref="CaptureFormatException"/> naming the packet, the offset and the problem, and with no other exception.
/// </summary>
public static class CaptureFile
{
    /// <summary>The Ethernet link type.</summary>
    public const int Ethernet = 1;

    /// <summary>The most bytes of one packet a capture may hold (tshark's limit for Ethernet and most link types).</summary>
    public const int MaxCapturedLength = 262_144;

    /// <summary>
    /// Reads every packet of <paramref name="stream"/>. A bad file header throws at once; a bad packet or block throws
    /// when the enumeration reaches it, after the packets before it.
    /// </summary>
    public static IEnumerable<CapturedPacket> Read(Stream stream)
    {
        var input = new CaptureInput(stream);
        var head = new byte[4];
        var got = input.Read(head);
        if (got < 4)
            throw CaptureFormatException.Before(0, 0, got == 0 ? "the file is empty." : $"the file is {got} bytes long, shorter than any capture header.");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
        return magic switch
        {
            0xA1B2C3D4 or 0xD4C3B2A1 or 0xA1B23C4D or 0x4D3CB2A1 => PcapReader.Read(input, head),
            PcapNgReader.SectionHeaderType => PcapNgReader.Read(input),
            _ => throw CaptureFormatException.Before(0, 0, $"not a pcap or pcapng file (magic 0x{magic:x8})."),
        };
    }
}
