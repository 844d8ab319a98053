using PdCluster.Concurrency;

namespace PdCluster.Tests.Concurrency;

public sealed class WakeSignalTests
{
    [Fact]
    public void A_set_before_the_wait_is_consumed_by_it()
    {
        using var signal = new WakeSignal();
        signal.Set();
        Assert.True(signal.IsSet);
        Assert.True(signal.Wait(TimeSpan.FromSeconds(30)));
        Assert.False(signal.IsSet);
        Assert.False(signal.Wait(TimeSpan.FromMicroseconds(50)));
    }

    [Fact]
    public void A_wait_times_out_unsignalled()
    {
        using var signal = new WakeSignal();
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(5)));
        Assert.False(signal.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void Every_set_from_another_thread_wakes_a_parked_waiter()
    {
        using var signal = new WakeSignal();
        using var ready = new SemaphoreSlim(0);
        const int rounds = 2000;
        var woken = 0;
        var waiter = new Thread(() =>
        {
            for (var i = 0; i < rounds; i++)
            {
                ready.Release();
                // A lost wake would hold this wait for the full minute and fail the join below.
                if (signal.Wait(TimeSpan.FromMinutes(1)))
                    woken++;
            }
        });
        waiter.Start();
        for (var i = 0; i < rounds; i++)
        {
            ready.Wait();
            signal.Set();
        }
        Assert.True(waiter.Join(TimeSpan.FromSeconds(60)), "a wake was lost");
        Assert.Equal(rounds, woken);
    }
}
