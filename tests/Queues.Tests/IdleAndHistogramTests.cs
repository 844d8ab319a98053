using PdCluster.Queues.Diagnostics;
using PdCluster.Queues.Idle;

namespace PdCluster.Tests.Queues;

public sealed class IdleAndHistogramTests
{
    private sealed class FakeQueue : IDrainNotificationSource
    {
        public DrainSignal? Armed;
        public bool HasCompletions { get; set; }
        public void RequestDrainNotification(DrainSignal signal) => Armed = signal;
    }

    [Fact]
    public void Notification_idle_arms_polls_once_more_then_waits()
    {
        var queue = new FakeQueue { HasCompletions = true };
        using var signal = new DrainSignal();
        var idle = new DrainNotificationIdleStrategy([queue], signal, spinsBeforeArm: 2, maxWait: TimeSpan.FromSeconds(5));
        idle.Idle(0);
        idle.Idle(0);
        Assert.Null(queue.Armed);
        idle.Idle(0);
        Assert.Same(signal, queue.Armed);
        Assert.Equal(0, idle.Waits);

        queue.HasCompletions = false;
        var waker = new Thread(() =>
        {
            Thread.Sleep(50);
            signal.Set();
        });
        waker.Start();
        idle.Idle(0);
        waker.Join();
        Assert.Equal(1, idle.Waits);
    }

    [Fact]
    public void Backoff_resets_on_work()
    {
        var idle = new BackoffIdleStrategy(1, 1, TimeSpan.FromTicks(10), TimeSpan.FromTicks(100));
        for (var i = 0; i < 10; i++)
            idle.Idle(0);
        idle.Idle(5);
        idle.Reset();
    }

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
