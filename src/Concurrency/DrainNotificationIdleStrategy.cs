using System.Diagnostics;

namespace PdCluster.Concurrency;

/// <summary>
/// Spins as long as its <see cref="AdaptiveSpinPolicy"/> says frames are likely to come soon, then arms every queue of
/// its group, polls once more, and sleeps on the signal until a completion, a control message (anything else that sets
/// the signal), or <c>maxWait</c>, which doubles as moderation by time: a poller never sleeps longer than that with
/// work pending. Queues on kernel sockets add their sockets to the signal's wait, so the poller sleeps in one
/// <c>ppoll</c> and the kernel wakes it, with no thread in between. At the end of an idle spell that spun it reads the
/// thread's involuntary context switches (<c>getrusage</c>, at most once per 50 µs: the call costs about a microsecond
/// here), so the policy learns when its spins took a core something else needed.
/// </summary>
public sealed class DrainNotificationIdleStrategy : IIdleStrategy
{
    private static readonly long PreemptionCheckInterval = Stopwatch.Frequency / 20_000;

    private readonly DrainNotificationGroup _group;
    private readonly AdaptiveSpinPolicy _spin;
    private readonly TimeSpan _maxWait;
    private long _switches = -1;
    private long _lastCheck;

    /// <summary>Idles over <paramref name="group"/>'s queues, sleeping on <paramref name="signal"/> for at most <paramref name="maxWait"/>.</summary>
    public DrainNotificationIdleStrategy(IReadOnlyList<IDrainNotificationSource> group, WakeSignal signal, AdaptiveSpinPolicy spin, TimeSpan maxWait)
    {
        (_group, _spin, _maxWait) = (new DrainNotificationGroup(group, signal), spin, maxWait);
        // The runtime binds a P/Invoke on its first call, and that allocates: bound here, the poller's first preemption
        // check (which may come long after it started) allocates nothing.
        Native.InvoluntarySwitches();
    }

    /// <summary>How many times the poller actually slept on the signal.</summary>
    public long Waits { get; private set; }

    /// <summary>The policy deciding how long to spin before arming.</summary>
    public AdaptiveSpinPolicy Spin => _spin;

    /// <inheritdoc/>
    public void Idle(int workCount)
    {
        var now = Stopwatch.GetTimestamp();
        if (workCount > 0)
        {
            _spin.Worked(now, _spin.HasSpun && now - _lastCheck >= PreemptionCheckInterval && Preempted(now));
            return;
        }
        if (_spin.Spin(now))
        {
            Thread.SpinWait(1);
            return;
        }
        if (_group.ArmAndWait(_maxWait))
            Waits++;
    }

    /// <inheritdoc/>
    /// <remarks>The learned spin budget outlives a reset: it describes who shares the core, not the last idle spell.</remarks>
    public void Reset()
    {
    }

    /// <summary>Whether the thread was preempted since the last look (the first look only takes the count).</summary>
    private bool Preempted(long now)
    {
        _lastCheck = now;
        var switches = Native.InvoluntarySwitches();
        var preempted = _switches >= 0 && switches > _switches;
        _switches = switches;
        return preempted;
    }
}
