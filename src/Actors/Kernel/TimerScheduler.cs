namespace PdCluster.Actors.Kernel;

/// <summary>Keyed timers of one actor, used only from that actor's thread.</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, (int Generation, Timer Timer, bool Periodic)> _timers = [];
    private int _generation;

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, Timeout.InfiniteTimeSpan, periodic: false);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval, periodic: true);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var t))
            t.Timer.Dispose();
    }

    public void CancelAll()
    {
        foreach (var t in _timers.Values)
            t.Timer.Dispose();
        _timers.Clear();
    }

    /// <summary>Whether a timer message is current; a single timer is done once its message is accepted.</summary>
    public bool Accept(TimerMessage message)
    {
        if (!_timers.TryGetValue(message.Key, out var t) || t.Generation != message.Generation)
            return false;
        if (!t.Periodic)
        {
            _timers.Remove(message.Key);
            t.Timer.Dispose();
        }
        return true;
    }

    private void Start(object key, object message, TimeSpan due, TimeSpan period, bool periodic)
    {
        Cancel(key);
        var generation = ++_generation;
        var self = cell.Self;
        var timer = new Timer(_ => self.Tell(new TimerMessage(key, generation, message), self), null, due, period);
        _timers[key] = (generation, timer, periodic);
    }
}
