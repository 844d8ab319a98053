using System.Diagnostics;

namespace PdCluster.Concurrency;

/// <summary>
/// Decides how long a poller keeps polling after its last work before it arms drain notification and sleeps. Sleeping
/// is not free where the producer runs on another core: each wake-up is work on the producer's core (on veth, the
/// generator's softirq). Spinning is not free where the producer shares the poller's core (threaded NAPI): the spin
/// takes the time that brings the next frames. The budget is learned from what spinning earned:
/// <list type="bullet">
/// <item>work that a spin caught (no sleep, no preemption) widens the budget to twice that gap, up to the longest spin;</item>
/// <item>work that woke a sleep after a gap a longer spin would have caught makes the next idle spell a probe of
/// twice that gap (at most one probe per hold-off);</item>
/// <item>a probe that caught nothing, or a spin the scheduler preempted (something else needed the core), ends spinning
/// for a hold-off that doubles each time, up to the longest, and resets once a spin pays off.</item>
/// </list>
/// Times are <see cref="Stopwatch"/> timestamps passed in by the caller; the policy reads no clock and allocates nothing.
/// </summary>
public sealed class AdaptiveSpinPolicy
{
    private readonly long _maxSpin;
    private readonly long _firstHoldoff;
    private readonly long _longestHoldoff;
    private long _nextProbe;
    private long _lastWork;
    private bool _idle;
    private bool _armed;
    private bool _probing;

    /// <summary>Creates a policy that starts without spinning.</summary>
    /// <param name="maxSpin">The longest spin after the last work; zero never spins.</param>
    /// <param name="firstHoldoff">How long spinning stops after the first failed probe or preemption.</param>
    /// <param name="longestHoldoff">The longest such stop, reached by doubling.</param>
    public AdaptiveSpinPolicy(TimeSpan maxSpin, TimeSpan firstHoldoff, TimeSpan longestHoldoff)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstHoldoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(longestHoldoff, firstHoldoff);
        _maxSpin = Ticks(maxSpin);
        _firstHoldoff = Ticks(firstHoldoff);
        _longestHoldoff = Ticks(longestHoldoff);
        Holdoff = _firstHoldoff;
    }

    /// <summary>A policy that never spins: it arms at the first empty poll.</summary>
    public static AdaptiveSpinPolicy Never() => new(TimeSpan.Zero, TimeSpan.FromTicks(1), TimeSpan.FromTicks(1));

    /// <summary>The queue threads' policy: spins of up to 50 µs (Linux's suggested busy-poll time), hold-offs from 1 ms to 100 ms.</summary>
    public static AdaptiveSpinPolicy ForQueues() =>
        new(TimeSpan.FromMicroseconds(50), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(100));

    /// <summary>How long, in <see cref="Stopwatch"/> ticks, the poller spins after its last work before it arms.</summary>
    public long Budget { get; private set; }

    /// <summary>How long spinning stops after the next failed probe or preemption, in <see cref="Stopwatch"/> ticks.</summary>
    public long Holdoff { get; private set; }

    /// <summary>Whether the current idle spell has spun (polled again rather than armed).</summary>
    public bool HasSpun { get; private set; }

    /// <summary>Idle spells that ended with work caught by spinning.</summary>
    public long Hits { get; private set; }

    /// <summary>Idle spells whose spin the scheduler preempted.</summary>
    public long Preemptions { get; private set; }

    /// <summary>
    /// A poll at <paramref name="now"/> found work: the idle spell before it, if any, teaches the budget.
    /// <paramref name="preempted"/> says whether the thread lost its core involuntarily since the last such report.
    /// </summary>
    public void Worked(long now, bool preempted)
    {
        if (_idle)
            Learn(now, now - _lastWork, preempted);
        _idle = false;
        _armed = false;
        HasSpun = false;
        _lastWork = now;
    }

    /// <summary>
    /// A poll at <paramref name="now"/> found nothing: true to poll again, false to arm drain notification and sleep.
    /// Once it says arm, it says so until work comes (a wait that times out goes straight back to sleep).
    /// </summary>
    public bool Spin(long now)
    {
        _idle = true;
        if (_armed || now - _lastWork >= Budget)
        {
            _armed = true;
            return false;
        }
        HasSpun = true;
        return true;
    }

    private void Learn(long now, long gap, bool preempted)
    {
        if (preempted && HasSpun)
        {
            Preemptions++;
            StopSpinning(now);
        }
        else if (!_armed)
        {
            Hits++;
            _probing = false;
            Holdoff = _firstHoldoff;
            Budget = Math.Min(_maxSpin, Math.Max(Budget, 2 * gap));
        }
        else if (_probing)
            StopSpinning(now);
        else if (gap < _maxSpin && now >= _nextProbe)
        {
            _probing = true;
            Budget = Math.Min(_maxSpin, 2 * gap);
        }
    }

    private void StopSpinning(long now)
    {
        _probing = false;
        Budget = 0;
        _nextProbe = now + Holdoff;
        Holdoff = Math.Min(_longestHoldoff, 2 * Holdoff);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
