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
