using PdCluster.Queues.Capture;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class CaptureRingTests
{
    private static byte[] Frame(int i, int length = 60) => new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp((ushort)i, 53).Build(length);

    [Fact]
    public void Frames_come_out_in_order_cut_to_the_snap_length_with_their_time_and_original_length()
    {
        var ring = new CaptureRing(8, 64, 100);
        Assert.True(ring.Offer(Frame(1), 10));
        Assert.True(ring.Offer(Frame(2, 100), 20));
        var into = new byte[64];

        Assert.Equal(60, ring.TryTake(into, out var time, out var original));
        Assert.Equal((10L, 60), (time, original));
        Assert.Equal(Frame(1), into[..60]);
        Assert.Equal(64, ring.TryTake(into, out time, out original));
        Assert.Equal((20L, 100), (time, original));
        Assert.Equal(Frame(2, 100)[..64], into);
        Assert.Equal(-1, ring.TryTake(into, out _, out _));
    }

    [Fact]
    public void A_full_ring_drops_and_counts_and_the_limit_stops_taking_without_counting()
    {
        var ring = new CaptureRing(4, 64, 6);
        for (var i = 0; i < 6; i++)
            ring.Offer(Frame(i), i);
        Assert.Equal((4L, 2L), (ring.Accepted, ring.Dropped));

        var into = new byte[64];
        Assert.Equal(60, ring.TryTake(into, out var first, out _));
        Assert.Equal(0, first);
        Assert.True(ring.Offer(Frame(9), 9));
        Assert.True(ring.Offer(Frame(10), 10) == false && ring.Dropped == 3);
        Assert.Equal(60, ring.TryTake(into, out _, out _));
        Assert.True(ring.Offer(Frame(11), 11));
        Assert.True(ring.IsFull);
        Assert.False(ring.Offer(Frame(12), 12));
        Assert.Equal(3, ring.Dropped);
    }

    [Fact]
    public void A_producer_and_a_consumer_on_two_threads_lose_nothing_they_do_not_count()
    {
        const int frames = 200_000;
        var ring = new CaptureRing(64, 64, frames);
        var producer = new Thread(() =>
        {
            for (var i = 0; i < frames; i++)
                ring.Offer(Frame(i & 0xffff), i);
            ring.Complete("done");
        });
        producer.Start();
        var into = new byte[64];
        long taken = 0, last = -1;
        while (true)
        {
            // Read before the take: once the producer said it is done, an empty ring is the end.
            var done = ring.EndReason is not null;
            if (ring.TryTake(into, out var time, out _) < 0)
            {
                if (done)
                    break;
                continue;
            }
            Assert.True(time > last, "frames come out in the order they went in");
            Assert.Equal((ushort)(time & 0xffff), (ushort)(into[34] << 8 | into[35]));
            last = time;
            taken++;
        }
        producer.Join();
        Assert.Equal(frames, taken + ring.Dropped);
        Assert.Equal(taken, ring.Accepted);
    }

    [Fact]
    public void The_first_end_reason_stands()
    {
        var ring = new CaptureRing(4, 64, 1);
        ring.Complete("pd0 was removed");
        ring.Complete("queue 0 stopped");
        Assert.Equal("pd0 was removed", ring.EndReason);
    }
}
