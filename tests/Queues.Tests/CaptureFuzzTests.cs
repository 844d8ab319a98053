using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

/// <summary>
/// A mutation fuzzer for the capture reader: valid pcap and pcapng files with bits flipped, bytes set or deleted, the
/// file cut short, and length, interface and version fields set to 0, small, negative and huge values. Whatever the
/// damage, the reader either reads the file or throws its own <see cref="CaptureFormatException"/>, naming a packet and
/// an offset inside the file.
/// </summary>
public sealed class CaptureFuzzTests
{
    private static byte[] Frame(int size, ushort port) =>
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(port, 53).Build(size);

    internal static readonly CaptureTemplate[] Templates =
    [
        new PcapBuilder().Packet(Frame(60, 1)).Packet(Frame(61, 2)).Packet(Frame(63, 3)).Build("pcap, little-endian, microseconds"),
        new PcapBuilder(bigEndian: true, nanoseconds: true, snapLength: 62).Packet(Frame(62, 1), original: 1514).Packet(Frame(60, 2)).Build("pcap, big-endian, nanoseconds"),
        new PcapNgBuilder()
            .Section(options: [(4, "pd test"u8.ToArray())])
            .Interface(options: [(2, "pd0"u8.ToArray()), (9, [6])])
            .Interface(snapLength: 128)
            .Enhanced(0, Frame(60, 1), (1, "first"u8.ToArray()))
            .Enhanced(1, Frame(61, 2))
            .Other(4, 4)
            .Simple(Frame(62, 3))
            .Obsolete(1, Frame(63, 4))
            .Other(0x80000001, 9)
            .Build("pcapng, little-endian, every packet block"),
        new PcapNgBuilder()
            .Section().Interface().Enhanced(0, Frame(60, 1))
            .Section(bigEndian: true, minor: 2).Interface(snapLength: 0).Interface().Enhanced(1, Frame(61, 2)).Simple(Frame(64, 3))
            .Build("pcapng, a little-endian then a big-endian section"),
    ];

    /// <summary>One change to a file: what kind, where (reduced modulo the file or field count), and with what value.</summary>
    private readonly record struct Mutation(MutationKind Kind, int Where, long Value);

    private enum MutationKind { FlipBit, SetByte, Truncate, DeleteBytes, SetField, NudgeField }

    /// <summary>Values a lying length or id field takes: 0, small, negative, huge, and the edges of what a reader allows.</summary>
    private static Gen<long> LyingValues() => Gen.OneOf(
        Gen.Constant(0L),
        Gen.Choose(1, 40).Select(v => (long)v),
        Gen.Elements(-1L, -4L, int.MinValue, int.MaxValue, 0x7FFF_FFFCL, 0x00FF_FFFCL, 0x0100_0000L, 0x0802_0000L, 65_535L, 262_144L, 262_145L),
        Gen.Choose(0, int.MaxValue).Select(v => (long)v));

    private static Gen<Mutation> Mutations()
    {
        var anywhere = Gen.Choose(0, int.MaxValue);
        return Gen.Frequency(
            (2, Gen.Zip(anywhere, Gen.Choose(0, 7)).Select(t => new Mutation(MutationKind.FlipBit, t.Item1, t.Item2))),
            (1, Gen.Zip(anywhere, Gen.Choose(0, 255)).Select(t => new Mutation(MutationKind.SetByte, t.Item1, t.Item2))),
            (1, anywhere.Select(w => new Mutation(MutationKind.Truncate, w, 0))),
            (1, Gen.Zip(anywhere, Gen.Choose(1, 16)).Select(t => new Mutation(MutationKind.DeleteBytes, t.Item1, t.Item2))),
            (4, Gen.Zip(anywhere, LyingValues()).Select(t => new Mutation(MutationKind.SetField, t.Item1, t.Item2))),
            (2, Gen.Zip(anywhere, Gen.Choose(-8, 8)).Select(t => new Mutation(MutationKind.NudgeField, t.Item1, t.Item2))));
    }

    private static byte[] Apply(CaptureTemplate template, Mutation[] mutations)
    {
        var file = (byte[])template.Bytes.Clone();
        foreach (var m in mutations)
        {
            if (file.Length == 0)
                break;
            var at = m.Where % file.Length;
            switch (m.Kind)
            {
                case MutationKind.FlipBit:
                    file[at] ^= (byte)(1 << (int)m.Value);
                    break;
                case MutationKind.SetByte:
                    file[at] = (byte)m.Value;
                    break;
                case MutationKind.Truncate:
                    file = file[..at];
                    break;
                case MutationKind.DeleteBytes:
                    file = [.. file[..at], .. file[Math.Min(file.Length, at + (int)m.Value)..]];
                    break;
                default:
                {
                    var field = template.Fields[m.Where % template.Fields.Count];
                    if (field.Position + field.Size > file.Length)
                        break;
                    var current = Read(file, field);
                    Write(file, field, m.Kind == MutationKind.SetField ? m.Value : current + m.Value);
                    break;
                }
            }
        }
        return file;
    }

    private static long Read(byte[] file, CaptureField f) => (f.Size, f.BigEndian) switch
    {
        (2, true) => BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(f.Position)),
        (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(f.Position)),
        (_, true) => BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(f.Position)),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(f.Position)),
    };

    private static void Write(byte[] file, CaptureField f, long value)
    {
        var span = file.AsSpan(f.Position);
        switch (f.Size, f.BigEndian)
        {
            case (2, true): BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value); break;
            case (2, false): BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            case (_, true): BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value); break;
            default: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value); break;
        }
    }

    [Fact]
    public void Twenty_thousand_mutated_captures_are_read_or_refused_with_packet_and_offset()
    {
        var cases =
            from template in Gen.Elements(Templates)
            from count in Gen.Choose(1, 4)
            from mutations in Gen.ArrayOf(Mutations(), count)
            select (template, mutations);
        int read = 0, refused = 0;
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var file = Apply(c.template, c.mutations);
            try
            {
                foreach (var packet in CaptureFile.Read(new MemoryStream(file)))
                    Assert.True(packet.Data.Length <= CaptureFile.MaxCapturedLength && packet.OriginalLength >= 0);
                read++;
            }
            catch (CaptureFormatException e)
            {
                refused++;
                Assert.InRange(e.Offset, 0, file.Length);
                Assert.True(e.PacketIndex >= 0);
                Assert.Contains($"offset {e.Offset}", e.Message);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
        Assert.Equal(20_000, read + refused);
        // Both outcomes are common, so neither path goes unexercised.
        Assert.True(read > 1_000 && refused > 1_000, $"read {read}, refused {refused}");
    }

    [Fact]
    public void Random_bytes_are_refused_with_the_reader_s_own_error()
    {
        var files = Gen.OneOf(
            ArbMap.Default.GeneratorFor<byte[]>(),
            from tail in ArbMap.Default.GeneratorFor<byte[]>() select (byte[])[0x0A, 0x0D, 0x0D, 0x0A, .. tail],
            from tail in ArbMap.Default.GeneratorFor<byte[]>() select (byte[])[0xD4, 0xC3, 0xB2, 0xA1, .. tail]);
        Prop.ForAll(files.ToArbitrary(), bytes =>
        {
            try
            {
                _ = CaptureFile.Read(new MemoryStream(bytes)).ToList();
            }
            catch (CaptureFormatException e)
            {
                Assert.InRange(e.Offset, 0, bytes.Length);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }
}
