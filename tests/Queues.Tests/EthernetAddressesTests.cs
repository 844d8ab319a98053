using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class EthernetAddressesTests
{
    [Fact]
    public void Swap_exchanges_destination_and_source_and_leaves_the_rest()
    {
        var frame = new FrameBuilder().Ethernet(0x02_00_00_00_00_0B, 0x02_00_00_00_00_0A).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 53).Build();
        var before = frame.ToArray();

        Assert.True(EthernetAddresses.Swap(frame));

        Assert.Equal(before[6..12], frame[..6]);
        Assert.Equal(before[..6], frame[6..12]);
        Assert.Equal(before[12..], frame[12..]);
    }

    [Fact]
    public void A_frame_shorter_than_two_addresses_is_refused_unchanged()
    {
        var frame = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

        Assert.False(EthernetAddresses.Swap(frame));

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, frame);
    }

    [Fact]
    public void Swap_matches_a_byte_by_byte_exchange_on_any_frame()
    {
        Prop.ForAll(ArbMap.Default.GeneratorFor<byte[]>().Where(b => b.Length >= EthernetAddresses.Length).ToArbitrary(), bytes =>
        {
            var expected = bytes.ToArray();
            for (var i = 0; i < 6; i++)
                (expected[i], expected[6 + i]) = (expected[6 + i], expected[i]);
            EthernetAddresses.Swap(bytes);
            return expected.AsSpan().SequenceEqual(bytes);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }
}
