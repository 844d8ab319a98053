namespace PdCluster.Actors.Kernel;

/// <summary>An actor's keyed timers: starting a timer with a key in use cancels the old one, including a message it already queued.</summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> to self once after <paramref name="delay"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Sends <paramref name="message"/> to self every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Whether a timer with <paramref name="key"/> is running.</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer; its message, if already queued, is not delivered.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer.</summary>
    void CancelAll();
}
