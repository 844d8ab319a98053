using System.Buffers.Binary;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class CaptureFileTests
{
    [Fact]
    public void Written_pcap_reads_back_frame_for_frame()
    {
        var frames = Enumerable.Range(0, 5).Select(i => new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp((ushort)i, 53).Build(60 + i)).ToList();
        var file = new MemoryStream();
        using (var writer = new PcapWriter(file, leaveOpen: true))
        {
            foreach (var f in frames)
                writer.Write(f, DateTimeOffset.UnixEpoch);
        }
        file.Position = 0;
        var read = CaptureFile.Read(file).ToList();
        Assert.Equal(frames.Count, read.Count);
        Assert.All(read, p => Assert.Equal(CaptureFile.Ethernet, p.LinkType));
        Assert.Equal(frames, read.Select(p => p.Data));
    }

    [Fact]
    public void Written_pcapng_reads_back_frame_for_frame_cut_frames_keeping_their_original_length()
    {
        var frames = Enumerable.Range(0, 5).Select(i => new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp((ushort)i, 53).Build(60 + i)).ToList();
        var file = new MemoryStream();
        using (var writer = new PcapNgWriter(file, "pd0 queue 1", snapLength: 62, leaveOpen: true))
        {
            foreach (var f in frames)
                writer.Write(f.AsSpan(0, Math.Min(f.Length, 62)), f.Length, DateTimeOffset.UnixEpoch.AddTicks(1234567));
            writer.WriteStatistics(7, 2, DateTimeOffset.UnixEpoch);
        }
        file.Position = 0;
        var read = CaptureFile.Read(file).ToList();
        Assert.Equal(frames.Select(f => f[..Math.Min(f.Length, 62)]), read.Select(p => p.Data));
        Assert.Equal(frames.Select(f => f.Length), read.Select(p => p.OriginalLength));
        Assert.All(read, p => Assert.Equal(CaptureFile.Ethernet, p.LinkType));
    }

    [Fact]
    public void Every_template_reads_back_frame_for_frame()
    {
        foreach (var template in CaptureFuzzTests.Templates)
        {
            var read = CaptureFile.Read(new MemoryStream(template.Bytes)).ToList();
            Assert.Equal(template.Frames.Count, read.Count);
            Assert.Equal(Enumerable.Range(0, read.Count), read.Select(p => p.Index));
            Assert.All(read, p => Assert.Equal(CaptureFile.Ethernet, p.LinkType));
            // The big-endian pcap's first packet is cut to its 62-byte snap length from 1514 on the wire.
            Assert.Equal(template.Frames, read.Select(p => p.Data));
        }
    }

    private static byte[] Frame(ushort port) => new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(port, 53).Build(60);

    /// <summary>Section header (28 bytes at 0), one Ethernet interface (20 at 28), two enhanced packet blocks (92 at 48 and 140).</summary>
    private static byte[] TwoPackets(bool bigEndian = false) =>
        new PcapNgBuilder().Section(bigEndian).Interface().Enhanced(0, Frame(1)).Enhanced(0, Frame(2)).Build("two packets").Bytes;

    private static CaptureFormatException Refused(byte[] file) =>
        Assert.Throws<CaptureFormatException>(() => CaptureFile.Read(new MemoryStream(file)).ToList());

    private static void Put32(byte[] file, int at, uint value, bool bigEndian = false)
    {
        if (bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(at), value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), value);
    }

    [Fact]
    public void Each_packet_knows_the_offset_of_its_record()
    {
        Assert.Equal([48L, 140L], CaptureFile.Read(new MemoryStream(TwoPackets(bigEndian: true))).Select(p => p.Offset));
        Assert.Equal([24L, 100L], CaptureFile.Read(new MemoryStream(new PcapBuilder().Packet(Frame(1)).Packet(Frame(2)).Build("pcap").Bytes)).Select(p => p.Offset));
    }

    [Fact]
    public void A_wrong_byte_order_magic_is_refused()
    {
        var file = TwoPackets();
        Put32(file, 8, 0x1A2B3C4E);
        var e = Refused(file);
        Assert.Equal((0, 0L), (e.PacketIndex, e.Offset));
        Assert.Equal("offset 0, before packet 0: section header block: byte-order magic 0x1a2b3c4e is neither 0x1a2b3c4d nor its byte swap.", e.Message);
    }

    [Fact]
    public void A_trailing_length_that_differs_from_the_leading_one_is_refused()
    {
        var file = TwoPackets(bigEndian: true);
        Put32(file, 140 + 92 - 4, 96, bigEndian: true);
        var e = Refused(file);
        Assert.Equal("packet 1 at offset 140: enhanced packet block: the block's trailing total length 96 differs from its leading 92.", e.Message);
    }

    [Theory]
    [InlineData(28, 22u, "offset 28, before packet 0: interface description block: block total length 22 is not a multiple of 4.")]
    [InlineData(28, 16u, "offset 28, before packet 0: interface description block: block total length 16 is below the minimum 20.")]
    [InlineData(48, 28u, "packet 0 at offset 48: enhanced packet block: block total length 28 is below the minimum 32.")]
    [InlineData(48, 0u, "packet 0 at offset 48: enhanced packet block: block total length 0 is below the minimum 32.")]
    [InlineData(48, 0xFFFFFFF0u, "packet 0 at offset 48: enhanced packet block: block total length 4294967280 is larger than 134348832, the largest block tshark reads.")]
    [InlineData(140, 96u, "packet 1 at offset 140: enhanced packet block: the file ends inside the block (92 of its 96 bytes).")]
    public void A_block_total_length_tshark_would_refuse_is_refused(int block, uint length, string message)
    {
        var file = TwoPackets();
        Put32(file, block + 4, length);
        Assert.Equal(message, Refused(file).Message);
    }

    [Theory]
    [InlineData(0u, 0xFFFFFFFFu, "packet 0 at offset 48: enhanced packet block: interface 4294967295 was never described (this section describes 1).")]
    [InlineData(0u, 1u, "packet 0 at offset 48: enhanced packet block: interface 1 was never described (this section describes 1).")]
    [InlineData(12u, 262_145u, "packet 0 at offset 48: enhanced packet block: captured length 262145 is larger than 262144, the most a capture holds of one packet.")]
    [InlineData(12u, 64u, "packet 0 at offset 48: enhanced packet block: captured length 64 runs past the block (60 bytes of packet data and options).")]
    [InlineData(12u, 0xFFFFFFFFu, "packet 0 at offset 48: enhanced packet block: captured length 4294967295 is larger than 262144, the most a capture holds of one packet.")]
    [InlineData(16u, 0x80000000u, "packet 0 at offset 48: enhanced packet block: original length 2147483648 is larger than any frame.")]
    public void A_packet_field_out_of_bounds_is_refused(uint field, uint value, string message)
    {
        var file = TwoPackets();
        Put32(file, 48 + 8 + (int)field, value);
        Assert.Equal(message, Refused(file).Message);
    }

    [Fact]
    public void Options_that_run_past_their_block_are_refused()
    {
        var file = new PcapNgBuilder().Section().Interface(options: [(2, "pd0"u8.ToArray())]).Enhanced(0, Frame(1)).Build("option").Bytes;
        // The interface's if_name option (at 28 + 16) says 9 bytes; padded to 12 with its header that passes the block's end.
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(28 + 16 + 2), 9);
        Assert.Equal("offset 28, before packet 0: interface description block: option 2 of length 9 runs past the block.", Refused(file).Message);
    }

    [Fact]
    public void A_section_version_tshark_does_not_read_is_refused()
    {
        var file = new PcapNgBuilder().Section(major: 2).Build("v2").Bytes;
        Assert.Equal("offset 0, before packet 0: section header block: version 2.0 is not one tshark reads (1.0 or 1.2).", Refused(file).Message);
    }

    [Fact]
    public void A_simple_packet_before_any_interface_is_refused()
    {
        var file = new PcapNgBuilder().Section().Simple(Frame(1)).Build("spb").Bytes;
        Assert.Equal("packet 0 at offset 28: simple packet block: no interface was described before it in this section.", Refused(file).Message);
    }

    [Fact]
    public void A_new_section_forgets_the_interfaces_of_the_last()
    {
        var file = new PcapNgBuilder().Section().Interface().Enhanced(0, Frame(1)).Section(bigEndian: true).Enhanced(0, Frame(2)).Build("two sections").Bytes;
        var e = Refused(file);
        Assert.Equal((1, 48L + 92 + 28), (e.PacketIndex, e.Offset));
        Assert.Contains("interface 0 was never described (this section describes 0)", e.Message);
    }

    [Theory]
    [InlineData(24 + 8, 262_145u, "packet 0 at offset 24: captured length 262145 is larger than 262144, the most a capture holds of one packet.")]
    [InlineData(24 + 76 + 8, 61u, "packet 1 at offset 100: the file ends inside the packet (60 of its 61 captured bytes).")]
    [InlineData(24 + 12, 0xFFFFFFFFu, "packet 0 at offset 24: original length 4294967295 is larger than any frame.")]
    [InlineData(4, 0x00040001u, "offset 0, before packet 0: pcap version 1.4 is not 2.x, the only version there is.")]
    public void A_pcap_field_out_of_bounds_is_refused(int at, uint value, string message)
    {
        var file = new PcapBuilder().Packet(Frame(1)).Packet(Frame(2)).Build("pcap").Bytes;
        Put32(file, at, value);
        Assert.Equal(message, Refused(file).Message);
    }

    [Fact]
    public void A_pcap_cut_inside_a_record_header_names_the_packet()
    {
        var file = new PcapBuilder().Packet(Frame(1)).Packet(Frame(2)).Build("pcap").Bytes[..(24 + 76 + 10)];
        Assert.Equal("packet 1 at offset 100: the record header is cut short (10 of 16 bytes).", Refused(file).Message);
    }

    [Fact]
    public void A_file_too_short_or_of_another_kind_is_refused_at_offset_0()
    {
        Assert.Equal("offset 0, before packet 0: the file is empty.", Refused([]).Message);
        Assert.Equal("offset 0, before packet 0: not a pcap or pcapng file (magic 0x04030201).", Refused([1, 2, 3, 4, 5, 6, 7, 8]).Message);
        Assert.Equal("offset 0, before packet 0: the pcap file header is cut short (10 of 24 bytes).", Refused([0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0]).Message);
    }
}
