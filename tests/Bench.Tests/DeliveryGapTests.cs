using FsCheck;
using FsCheck.Fluent;
using PdCluster.Bench.Cluster;

namespace PdCluster.Bench.Tests;

/// <summary>The failover benchmark's gap on recorded series of delivery times (milliseconds).</summary>
public sealed class DeliveryGapTests
{
    /// <summary>A delivery every millisecond from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    private static IEnumerable<double> Every(double from, double to)
    {
        for (var t = from; t <= to; t++)
            yield return t;
    }

    [Fact]
    public void The_gap_runs_from_the_last_delivery_before_the_fault_to_the_first_after_it()
    {
        // Served until 1,000 ms, the fault at 1,010 ms, served again (elsewhere) from 1,250 ms.
        var gap = DeliveryGap.Around([.. Every(0, 1000), .. Every(1250, 2000)], eventAt: 1010);

        Assert.Equal(new DeliveryInterval(1000, 1250), gap);
        Assert.Equal(250, gap!.Value.Milliseconds);
    }

    [Fact]
    public void Deliveries_from_several_hosts_count_in_any_order()
    {
        // The old owner's receiver and the new owner's, concatenated rather than merged.
        var newOwner = Every(1180, 1500).ToList();
        var oldOwner = Every(500, 1100).Reverse().ToList();

        Assert.Equal(new DeliveryInterval(1100, 1180), DeliveryGap.Around([.. newOwner, .. oldOwner], eventAt: 1050));
    }

    [Fact]
    public void A_longer_gap_after_the_first_delivery_again_is_the_one_reported()
    {
        // Served again briefly at 1,100 ms (a stray frame), then nothing until 1,400 ms.
        var gap = DeliveryGap.Around([.. Every(0, 1000), 1100, .. Every(1400, 2000)], eventAt: 1000);

        Assert.Equal(new DeliveryInterval(1100, 1400), gap);
    }

    [Fact]
    public void A_gap_before_the_event_is_not_counted()
    {
        var gap = DeliveryGap.Around([.. Every(0, 100), .. Every(600, 1000), .. Every(1020, 1500)], eventAt: 1000);

        Assert.Equal(new DeliveryInterval(1000, 1020), gap);
        Assert.Equal(500, DeliveryGap.LongestBetween([.. Every(0, 100), .. Every(600, 1000)], 0, 1000));
    }

    [Fact]
    public void Nothing_delivered_after_the_fault_is_no_gap()
    {
        Assert.Null(DeliveryGap.Around(Every(0, 1000), eventAt: 1000.5));
        Assert.Null(DeliveryGap.Around(Every(0, 1000), eventAt: 1000));
    }

    [Fact]
    public void Nothing_delivered_before_the_fault_is_no_gap()
    {
        Assert.Null(DeliveryGap.Around(Every(2000, 3000), eventAt: 1000));
        Assert.Null(DeliveryGap.Around([], eventAt: 0));
    }

    [Fact]
    public void The_gap_is_the_longest_interval_between_deliveries_from_the_last_one_before_the_event_on()
    {
        var times = Gen.Choose(0, 5_000).Select(t => t / 2.0).ArrayOf();
        Prop.ForAll(times.ToArbitrary(), Gen.Choose(-10, 5_010).ToArbitrary(), (deliveries, eventAt) =>
        {
            var gap = DeliveryGap.Around(deliveries, eventAt);
            var before = deliveries.Where(t => t <= eventAt).DefaultIfEmpty(double.NaN).Max();
            if (double.IsNaN(before) || !deliveries.Any(t => t > eventAt))
            {
                Assert.Null(gap);
                return;
            }
            var g = Assert.NotNull(gap);
            // No delivery falls inside the gap, it starts at or after the last delivery before the event, and no two
            // consecutive deliveries from there on are further apart.
            Assert.DoesNotContain(deliveries, t => t > g.From && t < g.To);
            Assert.True(g.From >= before && g.To > eventAt);
            var after = deliveries.Where(t => t >= before).Order().ToArray();
            Assert.All(after.Zip(after.Skip(1)), pair => Assert.True(pair.Second - pair.First <= g.Milliseconds));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1_000));
    }
}
