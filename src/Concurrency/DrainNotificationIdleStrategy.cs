namespace PdCluster.Concurrency;

/// <summary>
/// Spins a little, then arms every queue of its group, polls once more, and sleeps on the signal until a completion,
/// a control message (anything else that sets the signal), or <c>maxWait</c>, which doubles as moderation by time:
/// a poller never sleeps longer than that with work pending. Queues on kernel sockets add their sockets to the
/// signal's wait, so the poller sleeps in one <c>ppoll</c> and the kernel wakes it, with no thread in between.
/// </summary>
public sealed class DrainNotificationIdleStrategy(IReadOnlyList<IDrainNotificationSource> group, WakeSignal signal, int spinsBeforeArm, TimeSpan maxWait)
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
