using PdCluster.Queues.Rings;

namespace PdCluster.Tests.Queues;

public sealed class SpscRingTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(1024)]
    public void A_ring_of_N_slots_holds_N_minus_1(int slots)
    {
        var ring = new SpscRing<int>(slots);
        var items = Enumerable.Range(0, slots + 5).ToArray();
        Assert.Equal(slots - 1, ring.TryEnqueue(items));
        Assert.False(ring.TryEnqueue(99));
        Assert.Equal(slots - 1, ring.Count);
    }

    [Fact]
    public void Sizes_must_be_powers_of_two()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpscRing<int>(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpscRing<int>(1));
    }

    [Fact]
    public void Bursts_wrap_around_and_keep_order()
    {
        var ring = new SpscRing<int>(8);
        var next = 0;
        var expected = 0;
        var buffer = new int[5];
        for (var round = 0; round < 100; round++)
        {
            var items = Enumerable.Range(next, 5).ToArray();
            next += ring.TryEnqueue(items);
            var n = ring.TryDequeue(buffer.AsSpan(0, 3 + round % 3));
            for (var i = 0; i < n; i++)
                Assert.Equal(expected++, buffer[i]);
        }
        Assert.True(expected > 100);
    }

    [Fact]
    public void Empty_ring_dequeues_nothing()
    {
        var ring = new SpscRing<long>(4);
        Assert.False(ring.TryDequeue(out _));
        Assert.Equal(0, ring.TryDequeue(new long[4]));
    }

    [Fact]
    public void Two_threads_move_a_million_items_in_order()
    {
        const int total = 1_000_000;
        var ring = new SpscRing<int>(256);
        var producer = new Thread(() =>
        {
            var burst = new int[32];
            var sent = 0;
            while (sent < total)
            {
                var n = Math.Min(burst.Length, total - sent);
                for (var i = 0; i < n; i++)
                    burst[i] = sent + i;
                var k = ring.TryEnqueue(burst.AsSpan(0, n));
                sent += k;
                if (k == 0)
                    Thread.SpinWait(8);
            }
        });
        producer.Start();
        var received = 0;
        var into = new int[32];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received < total && DateTime.UtcNow < deadline)
        {
            var n = ring.TryDequeue(into);
            for (var i = 0; i < n; i++)
                Assert.Equal(received + i, into[i]);
            received += n;
            if (n == 0)
                Thread.Yield();
        }
        producer.Join();
        Assert.Equal(total, received);
    }
}
