using PdCluster.Concurrency;

namespace PdCluster.Tests.Concurrency;

public sealed class ThreadNiceTests
{
    [Fact]
    public void A_thread_raises_its_own_nice_value_and_no_other_thread_s()
    {
        var before = ThreadNice.Current();
        int? seen = null;
        var set = false;
        var thread = new Thread(() =>
        {
            set = ThreadNice.TrySet(before!.Value + 3);
            seen = ThreadNice.Current();
        });
        thread.Start();
        thread.Join();
        Assert.True(set);
        Assert.Equal(before + 3, seen);
        Assert.Equal(before, ThreadNice.Current());
    }

    [Theory]
    [InlineData(-21)]
    [InlineData(20)]
    public void A_value_outside_linux_s_range_is_refused(int nice)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadNice.TrySet(nice));
    }
}
