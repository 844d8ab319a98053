using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class ReverseArpTests
{
    [Fact]
    public void A_mac_announcement_is_a_broadcast_rarp_request_reverse_from_the_mac_about_itself_with_no_addresses()
    {
        var frame = ReverseArp.Build(0x00_15_5D_00_00_02);

        Assert.Equal(60, frame.Length);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x15, 0x5D, 0, 0, 0x02, 0x80, 0x35 }, frame[..14]);
        // Ethernet hardware, IPv4 protocol, 6- and 4-byte addresses, operation 3 (request reverse).
        Assert.Equal(new byte[] { 0, 1, 0x08, 0x00, 6, 4, 0, 3 }, frame[14..22]);
        Assert.Equal(frame[6..12], frame[22..28]);
        Assert.Equal(frame[6..12], frame[32..38]);
        Assert.All(frame[28..32].Concat(frame[38..42]), b => Assert.Equal(0, b));
        Assert.False(GratuitousArp.TryRead(frame, out _, out _));
    }
}
