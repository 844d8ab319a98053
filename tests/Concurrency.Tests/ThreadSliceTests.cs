using PdCluster.Concurrency;

namespace PdCluster.Tests.Concurrency;

/// <summary>A thread's EEVDF slice, set and read through the kernel: its own only, and not passed to the threads it starts.</summary>
public sealed class ThreadSliceTests
{
    [Fact]
    public void A_thread_s_slice_is_its_own_and_the_threads_it_starts_take_the_default()
    {
        var standard = ThreadSlice.Current();
        Assert.True(standard is { } d && d > TimeSpan.Zero, "this kernel reports thread slices (Linux 6.12 or later)");
        TimeSpan? set = null, child = null;
        var spinning = new Thread(() =>
        {
            Assert.True(ThreadSlice.TrySet(TimeSpan.FromMilliseconds(7)));
            set = ThreadSlice.Current();
            var started = new Thread(() => child = ThreadSlice.Current());
            started.Start();
            started.Join();
        });
        spinning.Start();
        spinning.Join();
        Assert.Equal(TimeSpan.FromMilliseconds(7), set);
        Assert.Equal(standard, child);
        Assert.Equal(standard, ThreadSlice.Current());
    }
}
