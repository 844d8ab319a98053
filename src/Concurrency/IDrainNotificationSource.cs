namespace PdCluster.Concurrency;

/// <summary>
/// A queue that can wake a waiting poller: PD's drain notification. Arming sets a bit; the provider clears it and
/// signals on the next completion (after its moderation count), or, where completions show as a kernel socket's
/// readiness, has the signal watch that socket (<see cref="WakeSignal.Watch"/>) so the poller's own wait sleeps on it.
/// Arming after the fact need not fire for completions that happened before, which is why a poller polls once more
/// after arming.
/// </summary>
public interface IDrainNotificationSource
{
    /// <summary>Arms the queue to wake <paramref name="signal"/>'s waiter on its next completion. Called on the waiter's thread.</summary>
    void RequestDrainNotification(WakeSignal signal);

    /// <summary>Whether completed buffers wait to be drained (the "poll once more" check).</summary>
    bool HasCompletions { get; }
}
