using System.Diagnostics;

namespace PdCluster.Concurrency;

/// <summary>
/// What a poller parks on and what wakes it: a drain notification from a provider, or a control message for the
/// poller. Waits have nanosecond resolution (Linux <c>ppoll</c> on an <c>eventfd</c>, not a millisecond timer), and
/// <see cref="Set"/> costs one atomic exchange unless a waiter is parked, when it also writes the eventfd. A provider
/// whose completions show as a kernel socket's readiness has the signal <see cref="Watch"/> that socket instead: the
/// waiter's one <c>ppoll</c> then sleeps on the eventfd and the sockets together, and the kernel wakes it directly.
/// One waiter at a time; any number of setters.
/// </summary>
public sealed class WakeSignal : IDisposable
{
    /// <summary>Most descriptors a signal watches at once (a queue pair needs two).</summary>
    public const int MaxWatched = 8;

    private const int Clear = 0;
    private const int Signalled = 1;
    private const int Parked = 2;

    private readonly int _fd;
    private readonly Native.PollFd[] _poll = new Native.PollFd[1 + MaxWatched];
    private int _watched;
    private int _state;
    private int _disposed;

    /// <summary>Creates an unsignalled signal.</summary>
    public WakeSignal()
    {
        _fd = Native.EventFd(0, Native.EfdNonBlock | Native.EfdCloExec);
        if (_fd < 0)
            throw new InvalidOperationException($"eventfd failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
        _poll[0] = new Native.PollFd { Fd = _fd, Events = Native.PollIn };
        // The runtime binds a P/Invoke on its first call, and that allocates: bound here, a poller's first wake allocates nothing.
        Native.WriteEventFd(_fd);
        Native.DrainEventFd(_fd);
        Native.Poll(_poll.AsSpan(0, 1), TimeSpan.Zero);
    }

    /// <summary>Whether a wake is pending.</summary>
    public bool IsSet => Volatile.Read(ref _state) == Signalled;

    /// <summary>How many descriptors the next wait watches beside the signal's own.</summary>
    public int Watched => _watched;

    /// <summary>Wakes the waiter, or makes its next wait return at once.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, Signalled) == Parked)
            Native.WriteEventFd(_fd);
    }

    /// <summary>
    /// Makes the waits end also when descriptor <paramref name="fd"/> is ready for <paramref name="events"/>, until one
    /// ends woken (set, or any watched descriptor ready): then every watch is forgotten, so a watch fires once, as a
    /// drain notification does. A wait that times out keeps them. Called on the waiter's thread only; watching a
    /// descriptor again replaces its events.
    /// </summary>
    public void Watch(int fd, PollEvents events)
    {
        for (var i = 1; i <= _watched; i++)
        {
            if (_poll[i].Fd == fd)
            {
                _poll[i].Events = (short)events;
                return;
            }
        }
        if (_watched == MaxWatched)
            throw new InvalidOperationException($"A wake signal watches at most {MaxWatched} descriptors.");
        _poll[++_watched] = new Native.PollFd { Fd = fd, Events = (short)events };
    }

    /// <summary>
    /// Waits until <see cref="Set"/>, a watched descriptor's readiness, or <paramref name="timeout"/>; returns whether it
    /// was woken. Consumes the wake and, when woken, the watches.
    /// </summary>
    public bool Wait(TimeSpan timeout)
    {
        if (Interlocked.CompareExchange(ref _state, Parked, Clear) == Signalled)
        {
            Volatile.Write(ref _state, Clear);
            _watched = 0;
            return true;
        }
        Debug.Assert(Volatile.Read(ref _disposed) == 0, "Waiting on a disposed WakeSignal.");
        Native.Poll(_poll.AsSpan(0, 1 + _watched), timeout);
        // A setter that saw Parked has written the eventfd: read it empty so the next wait sleeps. One still about to
        // write makes the next wait return at once, unwoken; a wake by a watched socket alone costs no read.
        if (_poll[0].Revents != 0)
            Native.DrainEventFd(_fd);
        var woken = Interlocked.Exchange(ref _state, Clear) == Signalled;
        for (var i = 1; i <= _watched && !woken; i++)
            woken = _poll[i].Revents != 0;
        if (woken)
            _watched = 0;
        return woken;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            Native.Close(_fd);
    }
}
