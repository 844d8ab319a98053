namespace PdCluster.Concurrency;

/// <summary>
/// Spins, then yields, then parks on <paramref name="wake"/> for exponentially longer periods up to a cap, until work
/// shows up (Aeron's backoff). Parks are real sub-millisecond waits, and a <see cref="WakeSignal.Set"/> (a control
/// message for the poller) ends one at once. A yield is the one phase a set cannot cut short: the thread stays
/// runnable, and on a shared core the scheduler may give the core to other threads for their whole time slice.
/// </summary>
public sealed class BackoffIdleStrategy(WakeSignal wake, int maxSpins, int maxYields, TimeSpan minPark, TimeSpan maxPark) : IIdleStrategy
{
    private readonly TimeSpan _minPark = minPark;
    private int _spins;
    private int _yields;
    private TimeSpan _park = minPark;

    /// <summary>
    /// 100 spins, then parks of 50 µs doubling to 1 ms, and no yields: on a core of its own a yield does no more than
    /// a spin, and on a shared one it can hold a control message (or a packet) for milliseconds that a park would not.
    /// </summary>
    public BackoffIdleStrategy(WakeSignal wake)
        : this(wake, 100, 0, TimeSpan.FromMicroseconds(50), TimeSpan.FromMilliseconds(1))
    {
    }

    /// <summary>How many times the poller parked.</summary>
    public long Parks { get; private set; }

    /// <summary>The next park's length.</summary>
    public TimeSpan NextPark => _park;

    /// <inheritdoc/>
    public void Idle(int workCount)
    {
        if (workCount > 0)
        {
            Reset();
            return;
        }
        if (_spins < maxSpins)
        {
            _spins++;
            Thread.SpinWait(1);
        }
        else if (_yields < maxYields)
        {
            _yields++;
            Thread.Yield();
        }
        else
        {
            Parks++;
            if (wake.Wait(_park))
                Reset();
            else
                _park = TimeSpan.FromTicks(Math.Min(_park.Ticks * 2, maxPark.Ticks));
        }
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _spins = 0;
        _yields = 0;
        _park = _minPark;
    }
}
