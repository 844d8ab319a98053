using System.Diagnostics;
using PdCluster.Concurrency;

namespace PdCluster.Tests.Concurrency;

public sealed class IdleStrategyTests
{
    private sealed class ArmableQueue : IDrainNotificationSource
    {
        public WakeSignal? Armed;
        public bool HasCompletions { get; set; }
        public void RequestDrainNotification(WakeSignal signal) => Armed = signal;
    }

    /// <summary>Idles once while another thread sets <paramref name="signal"/> 50 ms later.</summary>
    private static void IdleUntilSetFromAnotherThread(IIdleStrategy idle, WakeSignal signal)
    {
        var waker = new Thread(() =>
        {
            Thread.Sleep(50);
            signal.Set();
        });
        waker.Start();
        idle.Idle(0);
        waker.Join();
    }

    [Fact]
    public void Notification_idle_arms_polls_once_more_then_waits()
    {
        var queue = new ArmableQueue { HasCompletions = true };
        using var signal = new WakeSignal();
        var idle = new DrainNotificationIdleStrategy([queue], signal, AdaptiveSpinPolicy.Never(), maxWait: TimeSpan.FromSeconds(5));
        idle.Idle(0);
        Assert.Same(signal, queue.Armed);
        Assert.Equal(0, idle.Waits);

        queue.HasCompletions = false;
        IdleUntilSetFromAnotherThread(idle, signal);
        Assert.Equal(1, idle.Waits);
    }

    [Fact]
    public void Notification_idle_spins_within_its_budget_before_it_arms()
    {
        // A real clock: the first short gap that woke a sleep makes the next spell a probe of twice that gap (at least
        // twice the 200 µs slept here), and polls within it spin without arming.
        var queue = new ArmableQueue();
        using var signal = new WakeSignal();
        var idle = new DrainNotificationIdleStrategy([queue], signal, new AdaptiveSpinPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), TimeSpan.FromMicroseconds(200));
        idle.Idle(1);
        idle.Idle(0);
        Assert.Equal(1, idle.Waits);
        Assert.Same(signal, queue.Armed);
        idle.Idle(1);
        Assert.True(idle.Spin.Budget >= TimeSpan.FromMicroseconds(400).TotalSeconds * Stopwatch.Frequency, $"budget {idle.Spin.Budget} ticks");

        queue.Armed = null;
        for (var i = 0; i < 100; i++)
            idle.Idle(0);
        Assert.Null(queue.Armed);
        Assert.Equal(1, idle.Waits);
        Assert.True(idle.Spin.HasSpun);
        idle.Idle(1);
        Assert.Equal(1, idle.Spin.Hits);
    }

    [Fact]
    public void Notification_idle_allocates_nothing_while_it_spins_arms_and_learns()
    {
        var queue = new ArmableQueue();
        using var signal = new WakeSignal();
        var idle = new DrainNotificationIdleStrategy([queue], signal, AdaptiveSpinPolicy.ForQueues(), TimeSpan.FromMicroseconds(20));
        void Cycle()
        {
            for (var i = 0; i < 1_000; i++)
            {
                idle.Idle(i % 3 == 0 ? 1 : 0);
                if (i % 100 == 0)
                    signal.Set();
            }
        }
        Cycle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Cycle();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(idle.Waits > 0);
    }

    [Fact]
    public void Backoff_spins_yields_then_parks_doubling_to_the_cap_and_resets_on_work()
    {
        using var wake = new WakeSignal();
        var idle = new BackoffIdleStrategy(wake, 2, 2, TimeSpan.FromMicroseconds(20), TimeSpan.FromMicroseconds(80));
        for (var i = 0; i < 4; i++)
            idle.Idle(0);
        Assert.Equal(0, idle.Parks);
        idle.Idle(0);
        Assert.Equal(1, idle.Parks);
        Assert.Equal(TimeSpan.FromMicroseconds(40), idle.NextPark);
        idle.Idle(0);
        idle.Idle(0);
        Assert.Equal(TimeSpan.FromMicroseconds(80), idle.NextPark);
        idle.Idle(5);
        Assert.Equal(TimeSpan.FromMicroseconds(20), idle.NextPark);
    }

    [Fact]
    public void The_default_backoff_goes_from_spinning_straight_to_a_park_that_a_wake_can_end()
    {
        // A yield is not wakeable: the thread stays runnable, and on a shared core a control message set on its
        // signal waits out other threads' time slices. The default back-off must not yield between spins and parks.
        using var wake = new WakeSignal();
        var idle = new BackoffIdleStrategy(wake);
        for (var i = 0; i < 100; i++)
            idle.Idle(0);
        Assert.Equal(0, idle.Parks);
        wake.Set();
        idle.Idle(0);
        Assert.Equal(1, idle.Parks);
        Assert.Equal(TimeSpan.FromMicroseconds(50), idle.NextPark);
    }

    [Fact]
    public void Backoff_parks_are_sub_millisecond_not_truncated_to_zero_or_rounded_to_a_millisecond()
    {
        using var wake = new WakeSignal();
        var park = TimeSpan.FromMicroseconds(200);
        var idle = new BackoffIdleStrategy(wake, 0, 0, park, park);
        const int parks = 200;
        var shortest = TimeSpan.MaxValue;
        for (var i = 0; i < parks; i++)
        {
            var start = Stopwatch.GetTimestamp();
            idle.Idle(0);
            var took = Stopwatch.GetElapsedTime(start);
            shortest = took < shortest ? took : shortest;
        }
        Assert.Equal(parks, idle.Parks);
        // Thread.Sleep(TimeSpan) truncated 200 µs to Sleep(0): then even the shortest park would be shorter than asked.
        Assert.True(shortest >= park, $"the shortest of {parks} parks of {park.TotalMicroseconds} µs took {shortest.TotalMicroseconds:0} µs");
        // A millisecond timer rounds every park up to 1 ms or more; the shortest one shows the timer's own grain, which a
        // loaded machine only lengthens for some parks, not all.
        Assert.True(shortest < TimeSpan.FromMilliseconds(1), $"the shortest of {parks} parks of {park.TotalMicroseconds} µs took {shortest.TotalMicroseconds:0} µs");
    }

    [Fact]
    public void A_set_signal_ends_a_long_park_at_once()
    {
        using var wake = new WakeSignal();
        var idle = new BackoffIdleStrategy(wake, 0, 0, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        var parked = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            parked.Set();
            idle.Idle(0);
        });
        thread.Start();
        parked.Wait();
        wake.Set();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "the park did not end when the signal was set");
        Assert.Equal(TimeSpan.FromSeconds(30), idle.NextPark);
    }
    [Fact]
    public void Paced_idle_sleeps_a_pace_with_nothing_armed_while_work_is_recent_then_arms_and_waits()
    {
        var queue = new ArmableQueue();
        using var signal = new WakeSignal();
        // A window long enough that a loaded machine stays inside it for the paced polls below.
        var idle = new PacedIdleStrategy([queue], signal, TimeSpan.FromMicroseconds(50), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        idle.Idle(1);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < 20; i++)
            idle.Idle(0);
        Assert.Equal(20, idle.Paces);
        Assert.Equal(0, idle.Waits);
        Assert.Null(queue.Armed);
        // Each pace slept (a pace cut short would have left the 20 polls far under 20 × 50 µs).
        Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMicroseconds(20 * 50), $"20 paces took {Stopwatch.GetElapsedTime(start).TotalMicroseconds:0} µs");

        // Quiet past the window: arms, polls once more, and sleeps on the signal until it is set.
        var quiet = new PacedIdleStrategy([queue], signal, TimeSpan.FromMicroseconds(50), TimeSpan.FromMicroseconds(50), TimeSpan.FromSeconds(30));
        quiet.Idle(1);
        Thread.Sleep(1);
        queue.HasCompletions = true;
        quiet.Idle(0);
        Assert.Same(signal, queue.Armed);
        Assert.Equal(0, quiet.Waits);
        queue.HasCompletions = false;
        IdleUntilSetFromAnotherThread(quiet, signal);
        Assert.Equal(1, quiet.Waits);
        Assert.Equal(0, quiet.Paces);
    }

    [Fact]
    public void A_set_signal_ends_a_pace_at_once_and_paced_idle_allocates_nothing()
    {
        var queue = new ArmableQueue();
        using var signal = new WakeSignal();
        var idle = new PacedIdleStrategy([queue], signal, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));
        idle.Idle(1);
        signal.Set();
        var start = Stopwatch.GetTimestamp();
        idle.Idle(0);
        Assert.True(Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10), "a control message did not end the pace");

        var quick = new PacedIdleStrategy([queue], signal, TimeSpan.FromMicroseconds(20), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        void Cycle()
        {
            for (var i = 0; i < 200; i++)
                quick.Idle(i % 3 == 0 ? 1 : 0);
        }
        Cycle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Cycle();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
