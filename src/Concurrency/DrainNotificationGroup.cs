namespace PdCluster.Concurrency;

/// <summary>PD's notification group: queues that share one wake signal, armed together before their poller sleeps.</summary>
internal sealed class DrainNotificationGroup(IReadOnlyList<IDrainNotificationSource> queues, WakeSignal signal)
{
    /// <summary>
    /// Arms every queue, polls them once more, and, when none has a completion, sleeps on the signal for at most
    /// <paramref name="maxWait"/>; returns whether it slept.
    /// </summary>
    public bool ArmAndWait(TimeSpan maxWait)
    {
        for (var i = 0; i < queues.Count; i++)
            queues[i].RequestDrainNotification(signal);
        for (var i = 0; i < queues.Count; i++)
        {
            if (queues[i].HasCompletions)
                return false;
        }
        signal.Wait(maxWait);
        return true;
    }
}
