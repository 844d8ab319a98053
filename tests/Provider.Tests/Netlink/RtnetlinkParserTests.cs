using FsCheck;
using FsCheck.Fluent;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Tests.Provider.Netlink;

/// <summary>The rtnetlink parser on datagrams laid out as the kernel does, and on damaged and random bytes, which it must survive.</summary>
public sealed class RtnetlinkParserTests
{
    private static readonly byte[] Datagram = new NetlinkBuilder()
        .Link(16, 7, LinkMessage.IffUp | LinkMessage.IffRunning, "pdd1", LinkMessage.OperUp, sequence: 3)
        .Other(24)
        .Link(17, 9, 0, "gone", null)
        .Done(3)
        .Error(4, -16)
        .Build();

    [Fact]
    public void Reads_links_done_and_errors_and_skips_other_types()
    {
        var messages = new List<LinkMessage>();
        Assert.True(RtnetlinkParser.Parse(Datagram, messages));
        Assert.Equal(
        [
            new LinkMessage(NetlinkKind.NewLink, 3, 7, LinkMessage.IffUp | LinkMessage.IffRunning, "pdd1", LinkMessage.OperUp),
            new LinkMessage(NetlinkKind.DelLink, 0, 9, 0, "gone"),
            new LinkMessage(NetlinkKind.Done, 3),
            new LinkMessage(NetlinkKind.Error, 4, Error: -16),
        ], messages);
        Assert.True(messages[0].AdminUp && messages[0].OperationallyUp);
    }

    [Fact]
    public void A_lying_length_ends_the_read_and_keeps_what_came_before()
    {
        var damaged = (byte[])Datagram.Clone();
        var second = BitConverter.ToInt32(damaged, 0);
        BitConverter.TryWriteBytes(damaged.AsSpan(second), damaged.Length);
        var messages = new List<LinkMessage>();
        Assert.False(RtnetlinkParser.Parse(damaged, messages));
        Assert.Equal([NetlinkKind.NewLink], messages.Select(m => m.Kind));
    }

    [Fact]
    public void A_name_without_its_terminator_is_malformed()
    {
        var datagram = new NetlinkBuilder().Link(16, 7, 0, "pdd1", null).Build();
        var name = datagram.AsSpan().IndexOf("pdd1"u8);
        datagram[name + 4] = (byte)'x';
        var messages = new List<LinkMessage>();
        Assert.False(RtnetlinkParser.Parse(datagram, messages));
        Assert.Empty(messages);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var messages = new List<LinkMessage>();
            RtnetlinkParser.Parse(bytes, messages);
            return messages.Count <= bytes.Length / 16;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    [Fact]
    public void Damaged_datagrams_never_throw_and_every_name_read_lies_inside_them()
    {
        var mutations = Gen.Zip(Gen.Zip(Gen.Choose(0, Datagram.Length - 1), Gen.Choose(0, 255)), Gen.Choose(0, 2))
            .Select(t => (Where: t.Item1.Item1, Value: t.Item1.Item2, Kind: t.Item2)).ArrayOf();
        Prop.ForAll(mutations.ToArbitrary(), changes =>
        {
            var bytes = (byte[])Datagram.Clone();
            var length = bytes.Length;
            foreach (var (where, value, kind) in changes)
            {
                if (kind == 2)
                    length = Math.Min(length, where);
                else
                    bytes[where] = kind == 0 ? (byte)value : (byte)(bytes[where] ^ (1 << (value & 7)));
            }
            var messages = new List<LinkMessage>();
            RtnetlinkParser.Parse(bytes.AsSpan(0, length), messages);
            return messages.Count <= length / 16 && messages.All(m => m.Name is null || m.Name.Length < length);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }
}
