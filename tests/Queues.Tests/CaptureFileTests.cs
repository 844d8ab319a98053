using FsCheck;
using FsCheck.Fluent;
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
    public void Damaged_captures_fail_only_with_a_readable_error()
    {
        var valid = new MemoryStream();
        using (var writer = new PcapWriter(valid, leaveOpen: true))
            writer.Write(new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Tcp(1, 80).Build(), DateTimeOffset.UnixEpoch);
        var template = valid.ToArray();
        var ng = new byte[] { 0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 28, 0, 0, 0 };
        var files = Gen.OneOf(
            ArbMap.Default.GeneratorFor<byte[]>(),
            from cut in Gen.Choose(0, template.Length) select template[..cut],
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 200), Gen.Choose(0, 255)))
            from head in Gen.Elements(template, ng)
            select Mutate(head, flips));
        Prop.ForAll(files.ToArbitrary(), bytes =>
        {
            try
            {
                _ = CaptureFile.Read(new MemoryStream(bytes)).ToList();
            }
            catch (InvalidDataException)
            {
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }

    private static byte[] Mutate(byte[] file, (int Position, int Value)[] flips)
    {
        var copy = (byte[])file.Clone();
        foreach (var (position, value) in flips)
            copy[position % copy.Length] = (byte)value;
        return copy;
    }
}
