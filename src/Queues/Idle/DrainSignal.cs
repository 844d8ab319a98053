namespace PdCluster.Queues.Idle;

/// <summary>What a poller waits on; one signal may serve several queues (a notification group).</summary>
public sealed class DrainSignal : IDisposable
{
    private readonly ManualResetEventSlim _event = new(false, spinCount: 0);

    /// <summary>Wakes the waiter. Called by providers.</summary>
    public void Set() => _event.Set();

    /// <summary>Waits for a notification or the timeout; returns whether one came. Consumes the notification.</summary>
    public bool Wait(TimeSpan timeout)
    {
        var signalled = _event.Wait(timeout);
        _event.Reset();
        return signalled;
    }

    /// <summary>Whether a notification is pending.</summary>
    public bool IsSet => _event.IsSet;

    /// <inheritdoc/>
    public void Dispose() => _event.Dispose();
}
