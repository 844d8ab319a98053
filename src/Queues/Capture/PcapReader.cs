namespace PdCluster.Queues.Capture;

/// <summary>Classic pcap: a 24-byte file header, then a 16-byte record header before each packet's bytes.</summary>
internal static class PcapReader
{
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    /// <summary>Checks the file header (its first four bytes, the magic, already read) and returns the packets.</summary>
    public static IEnumerable<CapturedPacket> Read(CaptureInput input, byte[] magic)
    {
        var bigEndian = magic[0] == 0xA1;
        var header = new byte[FileHeaderLength];
        magic.CopyTo(header, 0);
        var got = magic.Length + input.Read(header.AsSpan(magic.Length));
        if (got < FileHeaderLength)
            throw CaptureFormatException.Before(0, 0, $"the pcap file header is cut short ({got} of {FileHeaderLength} bytes).");
        var major = CaptureInput.U16(header.AsSpan(4), bigEndian);
        var minor = CaptureInput.U16(header.AsSpan(6), bigEndian);
        if (major != 2)
            throw CaptureFormatException.Before(0, 0, $"pcap version {major}.{minor} is not 2.x, the only version there is.");
        var linkType = (int)(CaptureInput.U32(header.AsSpan(20), bigEndian) & 0xFFFF);
        return Records(input, bigEndian, linkType);
    }

    private static IEnumerable<CapturedPacket> Records(CaptureInput input, bool bigEndian, int linkType)
    {
        var record = new byte[RecordHeaderLength];
        for (var index = 0; ; index++)
        {
            var offset = input.Position;
            var got = input.Read(record);
            if (got == 0)
                yield break;
            if (got < RecordHeaderLength)
                throw CaptureFormatException.InPacket(index, offset, $"the record header is cut short ({got} of {RecordHeaderLength} bytes).");
            var captured = CaptureInput.U32(record.AsSpan(8), bigEndian);
            var original = CaptureInput.U32(record.AsSpan(12), bigEndian);
            if (captured > CaptureFile.MaxCapturedLength)
                throw CaptureFormatException.InPacket(index, offset, $"captured length {captured} is larger than {CaptureFile.MaxCapturedLength}, the most a capture holds of one packet.");
            if (original > int.MaxValue)
                throw CaptureFormatException.InPacket(index, offset, $"original length {original} is larger than any frame.");
            var data = input.ReadUpTo((int)captured);
            if (data.Length < captured)
                throw CaptureFormatException.InPacket(index, offset, $"the file ends inside the packet ({data.Length} of its {captured} captured bytes).");
            yield return new CapturedPacket(index, linkType, data, (int)original, offset);
        }
    }
}
