using System.IO.Pipes;
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

    [Fact]
    public void A_watched_descriptor_ends_the_wait_once_and_a_timeout_keeps_the_watch()
    {
        using var signal = new WakeSignal();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var fd = (int)reader.SafePipeHandle.DangerousGetHandle();
        signal.Watch(fd, PollEvents.In);
        signal.Watch(fd, PollEvents.In);
        Assert.Equal(1, signal.Watched);
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(5)));
        Assert.Equal(1, signal.Watched);

        pipe.WriteByte(1);
        Assert.True(signal.Wait(TimeSpan.FromMinutes(1)));
        Assert.False(signal.IsSet);
        Assert.Equal(0, signal.Watched);
        // Still readable, but the watch fired: the next wait sleeps on the signal alone.
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(5)));
    }

    [Fact]
    public void A_parked_waiter_wakes_when_a_watched_descriptor_becomes_ready()
    {
        using var signal = new WakeSignal();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        signal.Watch((int)reader.SafePipeHandle.DangerousGetHandle(), PollEvents.In);
        var woken = false;
        var waiter = new Thread(() => woken = signal.Wait(TimeSpan.FromMinutes(1)));
        waiter.Start();
        Thread.Sleep(20);
        pipe.WriteByte(1);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)), "the write did not wake the waiter");
        Assert.True(woken);
    }

    [Fact]
    public void A_signal_watches_a_bounded_number_of_descriptors()
    {
        using var signal = new WakeSignal();
        for (var fd = 100; fd < 100 + WakeSignal.MaxWatched; fd++)
            signal.Watch(fd, PollEvents.In);
        Assert.Throws<InvalidOperationException>(() => signal.Watch(99, PollEvents.Out));
        signal.Set();
        Assert.True(signal.Wait(TimeSpan.Zero));
        Assert.Equal(0, signal.Watched);
    }
}
