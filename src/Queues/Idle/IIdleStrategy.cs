namespace PdCluster.Queues.Idle;

/// <summary>What a polling loop does between duty cycles: nothing, spin, yield, park, or wait for a drain notification.</summary>
public interface IIdleStrategy
{
    /// <summary>Called once per duty cycle with the work the cycle did; idles only when it did none.</summary>
    void Idle(int workCount);

    /// <summary>Forgets any backoff state.</summary>
    void Reset();
}
