using System.Diagnostics;

namespace PdCluster.Concurrency;

/// <summary>
/// What a poller parks on and what wakes it: a drain notification from a provider, or a control message for the
/// poller. Waits have nanosecond resolution (Linux <c>ppoll</c> on an <c>eventfd</c>, not a millisecond timer), and
/// <see cref="Set"/> costs one atomic exchange unless a waiter is parked, when it also writes the eventfd.
/// One waiter at a time; any number of setters.
/// </summary>
public sealed class WakeSignal : IDisposable
{
    private const int Clear = 0;
    private const int Signalled = 1;
    private const int Parked = 2;

    private readonly int _fd;
    private int _state;
    private int _disposed;

    /// <summary>Creates an unsignalled signal.</summary>
    public WakeSignal()
    {
        _fd = Native.EventFd(0, Native.EfdNonBlock | Native.EfdCloExec);
        if (_fd < 0)
            throw new InvalidOperationException($"eventfd failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>Whether a wake is pending.</summary>
    public bool IsSet => Volatile.Read(ref _state) == Signalled;

    /// <summary>Wakes the waiter, or makes its next wait return at once.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, Signalled) == Parked)
            Native.WriteEventFd(_fd);
    }

    /// <summary>Waits until <see cref="Set"/> or <paramref name="timeout"/>; returns whether it was set. Consumes the wake.</summary>
    public bool Wait(TimeSpan timeout)
    {
        if (Interlocked.CompareExchange(ref _state, Parked, Clear) == Signalled)
        {
            Volatile.Write(ref _state, Clear);
            return true;
        }
        Debug.Assert(Volatile.Read(ref _disposed) == 0, "Waiting on a disposed WakeSignal.");
        Native.Poll(_fd, timeout);
        // A setter that saw Parked has written (or is about to write) the eventfd; read it empty so the next wait sleeps.
        Native.DrainEventFd(_fd);
        return Interlocked.Exchange(ref _state, Clear) == Signalled;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            Native.Close(_fd);
    }
}
