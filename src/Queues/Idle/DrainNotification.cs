namespace PdCluster.Queues.Idle;

/// <summary>
/// A queue that can wake a waiting poller: PD's drain notification. Arming sets a bit; the provider clears it and
/// signals on the next completion (after its moderation count). Arming after the fact never fires for completions
/// that happened before, which is why a poller polls once more after arming.
/// </summary>
public interface IDrainNotificationSource
{
    /// <summary>Arms the queue to set <paramref name="signal"/> on its next completion.</summary>
    void RequestDrainNotification(DrainSignal signal);

    /// <summary>Whether completed buffers wait to be drained (the "poll once more" check).</summary>
    bool HasCompletions { get; }
}

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

/// <summary>
/// Spins a little, then arms every queue of its group, polls once more, and sleeps on the signal until a completion
/// (or <c>maxWait</c>, which doubles as moderation by time: a poller never sleeps longer than that with work pending).
/// </summary>
public sealed class DrainNotificationIdleStrategy(IReadOnlyList<IDrainNotificationSource> group, DrainSignal signal, int spinsBeforeArm, TimeSpan maxWait)
    : IIdleStrategy
{
    private int _spins;

    /// <summary>How many times the poller actually slept on the signal.</summary>
    public long Waits { get; private set; }

    /// <inheritdoc/>
    public void Idle(int workCount)
    {
        if (workCount > 0)
        {
            _spins = 0;
            return;
        }
        if (_spins < spinsBeforeArm)
        {
            _spins++;
            Thread.SpinWait(1);
            return;
        }
        for (var i = 0; i < group.Count; i++)
            group[i].RequestDrainNotification(signal);
        for (var i = 0; i < group.Count; i++)
        {
            if (group[i].HasCompletions)
                return;
        }
        Waits++;
        signal.Wait(maxWait);
    }

    /// <inheritdoc/>
    public void Reset() => _spins = 0;
}
