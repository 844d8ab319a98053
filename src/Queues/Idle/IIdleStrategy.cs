namespace PdCluster.Queues.Idle;

/// <summary>What a polling loop does between duty cycles: nothing, spin, yield, park, or wait for a drain notification.</summary>
public interface IIdleStrategy
{
    /// <summary>Called once per duty cycle with the work the cycle did; idles only when it did none.</summary>
    void Idle(int workCount);

    /// <summary>Forgets any backoff state.</summary>
    void Reset();
}

/// <summary>Never gives up the core: lowest latency, one core burnt per poller.</summary>
public sealed class BusySpinIdleStrategy : IIdleStrategy
{
    /// <inheritdoc/>
    public void Idle(int workCount)
    {
        if (workCount == 0)
            Thread.SpinWait(1);
    }

    /// <inheritdoc/>
    public void Reset()
    {
    }
}

/// <summary>Yields the core to another ready thread when idle.</summary>
public sealed class YieldingIdleStrategy : IIdleStrategy
{
    /// <inheritdoc/>
    public void Idle(int workCount)
    {
        if (workCount == 0)
            Thread.Yield();
    }

    /// <inheritdoc/>
    public void Reset()
    {
    }
}
