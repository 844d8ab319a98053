using PdCluster.Queues.Diagnostics;

namespace PdCluster.Tests.Queues;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Histogram_percentiles_within_bucket_error()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 100_000; v++)
            h.Record(v);
        Assert.InRange(h.Percentile(50), 50_000, 50_000 * 1.07);
        Assert.InRange(h.Percentile(99), 99_000, 99_000 * 1.07);
        Assert.Equal(100_000, h.Count);
        var other = new LatencyHistogram();
        other.Record(5);
        h.Add(other);
        Assert.Equal(100_001, h.Count);
    }
}
