using System.Diagnostics;

namespace PdCluster.Concurrency;

/// <summary>
/// Polls on a timer while traffic flows and on drain notification once it stops, DPDK's power-aware polling
/// (l3fwd-power) in PD's terms: an empty poll within <c>window</c> of the last work sleeps <c>pace</c> on the signal,
/// with no queue armed, so the producer's core never pays for a wake-up and the poller's core runs only a few
/// microseconds in each pace; an empty poll after a quiet <c>window</c> arms every queue of its group, polls once more
/// and sleeps until a completion, a control message or <c>maxWait</c>, so an idle queue costs nothing. Made for a
/// poller with a core of its own: where the producer shares the core (threaded NAPI), the timer's wake-ups take that
/// core from it, and <see cref="DrainNotificationIdleStrategy"/> is the better choice.
/// </summary>
public sealed class PacedIdleStrategy : IIdleStrategy
{
    private readonly DrainNotificationGroup _group;
    private readonly WakeSignal _signal;
    private readonly TimeSpan _pace;
    private readonly long _window;
    private readonly TimeSpan _maxWait;
    private long _lastWork = long.MinValue / 2;

    /// <summary>
    /// Idles over <paramref name="group"/>'s queues: sleeps <paramref name="pace"/> after an empty poll within
    /// <paramref name="window"/> of the last work, else sleeps on drain notification for at most <paramref name="maxWait"/>.
    /// </summary>
    public PacedIdleStrategy(IReadOnlyList<IDrainNotificationSource> group, WakeSignal signal, TimeSpan pace, TimeSpan window, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pace, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, pace);
        (_group, _signal, _pace, _window, _maxWait) = (new DrainNotificationGroup(group, signal), signal, pace, (long)(window.TotalSeconds * Stopwatch.Frequency), maxWait);
    }

    /// <summary>The queue threads' pacing: 20 µs between polls under traffic, drain notification after 1 ms without work, 100 ms at most asleep.</summary>
    public static PacedIdleStrategy ForQueues(IReadOnlyList<IDrainNotificationSource> group, WakeSignal signal) =>
        new(group, signal, TimeSpan.FromMicroseconds(20), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(100));

    /// <summary>How many times the poller slept one pace (traffic flowing).</summary>
    public long Paces { get; private set; }

    /// <summary>How many times the poller slept on drain notification (traffic stopped).</summary>
    public long Waits { get; private set; }

    /// <inheritdoc/>
    public void Idle(int workCount)
    {
        var now = Stopwatch.GetTimestamp();
        if (workCount > 0)
        {
            _lastWork = now;
            return;
        }
        if (now - _lastWork < _window)
        {
            Paces++;
            _signal.Wait(_pace);
            return;
        }
        if (_group.ArmAndWait(_maxWait))
            Waits++;
    }

    /// <inheritdoc/>
    public void Reset() => _lastWork = long.MinValue / 2;
}
