namespace PdCluster.Queues.Idle;

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
