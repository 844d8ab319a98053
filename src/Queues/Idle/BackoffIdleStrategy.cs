namespace PdCluster.Queues.Idle;

/// <summary>Spins, then yields, then parks for exponentially longer periods up to a cap, until work shows up (Aeron's backoff).</summary>
public sealed class BackoffIdleStrategy(int maxSpins, int maxYields, TimeSpan minPark, TimeSpan maxPark) : IIdleStrategy
{
    private int _spins;
    private int _yields;
    private readonly TimeSpan _minPark = minPark;
    private TimeSpan _park = minPark;

    /// <summary>100 spins, 10 yields, then parks of 50 µs doubling to 1 ms.</summary>
    public BackoffIdleStrategy()
        : this(100, 10, TimeSpan.FromTicks(500), TimeSpan.FromMilliseconds(1))
    {
    }

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
            Thread.Sleep(_park);
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
