namespace PdCluster.Queues.Idle;

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
