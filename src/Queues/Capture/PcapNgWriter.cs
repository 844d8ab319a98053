using System.Buffers.Binary;
using System.Text;

namespace PdCluster.Queues.Capture;

/// <summary>
/// Writes pcapng (one section, one Ethernet interface with nanosecond timestamps and a name, enhanced packet blocks),
/// readable by Wireshark, tshark and tcpdump. <see cref="WriteStatistics"/> records frames dropped from the capture, as
/// dumpcap does, in an interface statistics block.
/// </summary>
public sealed class PcapNgWriter : ICaptureWriter
{
    private const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionType = 1;
    private const uint EnhancedPacketType = 6;
    private const uint InterfaceStatisticsType = 5;
    private const ushort EndOfOptions = 0;
    private const ushort NameOption = 2;
    private const ushort TimestampResolutionOption = 9;
    private const ushort ReceivedOption = 4;
    private const ushort DroppedOption = 5;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;

    /// <summary>Writes the section header and the interface, named <paramref name="interfaceName"/>, to <paramref name="stream"/>, which the writer closes unless <paramref name="leaveOpen"/>.</summary>
    public PcapNgWriter(Stream stream, string interfaceName, int snapLength = 65535, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Span<byte> section = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(section, 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(section[4..], 1);
        BinaryPrimitives.WriteInt64LittleEndian(section[8..], -1);
        Block(SectionHeaderType, section, []);

        var name = Encoding.UTF8.GetBytes(interfaceName);
        var options = new byte[Option(name.Length) + Option(1) + 4];
        var at = PutOption(options, NameOption, name);
        at = PutOption(options.AsSpan(at), TimestampResolutionOption, [9]) + at;
        BinaryPrimitives.WriteUInt16LittleEndian(options.AsSpan(at), EndOfOptions);
        Span<byte> description = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(description, CaptureFile.Ethernet);
        BinaryPrimitives.WriteUInt32LittleEndian(description[4..], (uint)snapLength);
        Block(InterfaceDescriptionType, description, options);
    }

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> data, int originalLength, DateTimeOffset time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(originalLength, data.Length);
        Span<byte> packet = stackalloc byte[20];
        WriteTime(packet[4..], time);
        BinaryPrimitives.WriteUInt32LittleEndian(packet[12..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(packet[16..], (uint)originalLength);
        Block(EnhancedPacketType, packet, data, []);
    }

    /// <summary>Records, stamped <paramref name="time"/>, that the interface received <paramref name="received"/> frames and <paramref name="dropped"/> of them were left out.</summary>
    public void WriteStatistics(long received, long dropped, DateTimeOffset time)
    {
        Span<byte> statistics = stackalloc byte[12];
        WriteTime(statistics[4..], time);
        var options = new byte[2 * Option(8) + 4];
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, received);
        var at = PutOption(options, ReceivedOption, value);
        BinaryPrimitives.WriteInt64LittleEndian(value, dropped);
        at += PutOption(options.AsSpan(at), DroppedOption, value);
        BinaryPrimitives.WriteUInt16LittleEndian(options.AsSpan(at), EndOfOptions);
        Block(InterfaceStatisticsType, statistics, options);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
            _stream.Dispose();
    }

    private static int Padded(int length) => (length + 3) & ~3;

    private static int Option(int length) => 4 + Padded(length);

    private static int PutOption(Span<byte> into, ushort code, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(into, code);
        BinaryPrimitives.WriteUInt16LittleEndian(into[2..], (ushort)value.Length);
        value.CopyTo(into[4..]);
        into.Slice(4 + value.Length, Padded(value.Length) - value.Length).Clear();
        return Option(value.Length);
    }

    /// <summary>Nanoseconds since 1970 as the high and low 32 bits.</summary>
    private static void WriteTime(Span<byte> into, DateTimeOffset time)
    {
        var nanoseconds = (ulong)(time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        BinaryPrimitives.WriteUInt32LittleEndian(into, (uint)(nanoseconds >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(into[4..], (uint)nanoseconds);
    }

    private void Block(uint type, ReadOnlySpan<byte> body, ReadOnlySpan<byte> options) => Block(type, body, [], options);

    /// <summary>A block: type, total length, <paramref name="body"/>, <paramref name="data"/> padded to 4 bytes, <paramref name="options"/>, total length again.</summary>
    private void Block(uint type, ReadOnlySpan<byte> body, ReadOnlySpan<byte> data, ReadOnlySpan<byte> options)
    {
        var total = 12 + body.Length + Padded(data.Length) + options.Length;
        Span<byte> word = stackalloc byte[8];
        Span<byte> padding = stackalloc byte[4];
        padding.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(word, type);
        BinaryPrimitives.WriteUInt32LittleEndian(word[4..], (uint)total);
        _stream.Write(word);
        _stream.Write(body);
        _stream.Write(data);
        _stream.Write(padding[..(Padded(data.Length) - data.Length)]);
        _stream.Write(options);
        _stream.Write(word[4..]);
    }
}
