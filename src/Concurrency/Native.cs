using System.Runtime.InteropServices;

namespace PdCluster.Concurrency;

/// <summary>The libc calls behind <see cref="WakeSignal"/> and <see cref="DrainNotificationIdleStrategy"/>.</summary>
internal static unsafe partial class Native
{
    public const int EfdNonBlock = 0x800;
    public const int EfdCloExec = 0x80000;
    public const short PollIn = 0x1;

    /// <summary>The kernel's <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private const int RusageThread = 1;

    /// <summary>The kernel's <c>struct rusage</c> on 64-bit Linux: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public fixed long Times[4];
        public fixed long Counts[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    [SuppressGCTransition]
    private static partial int GetRUsage(int who, RUsage* usage);

    /// <summary>How many times the calling thread lost its core while it could still run (<c>ru_nivcsw</c>); -1 if unknown.</summary>
    public static long InvoluntarySwitches()
    {
        RUsage usage;
        return GetRUsage(RusageThread, &usage) == 0 ? usage.Counts[13] : -1;
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "ppoll")]
    private static partial int PPoll(PollFd* fds, nuint count, TimeSpec* timeout, void* sigmask);

    /// <summary>Adds one to the eventfd's counter (never blocks: the counter cannot overflow here).</summary>
    public static void WriteEventFd(int fd)
    {
        ulong one = 1;
        Write(fd, &one, sizeof(ulong));
    }

    /// <summary>Resets the eventfd's counter to zero if it was set.</summary>
    public static void DrainEventFd(int fd)
    {
        ulong value;
        Read(fd, &value, sizeof(ulong));
    }

    /// <summary>
    /// Sleeps until one of <paramref name="fds"/> is ready for its events or <paramref name="timeout"/> passed (or a
    /// signal came); each entry's <c>Revents</c> says what it found.
    /// </summary>
    public static void Poll(Span<PollFd> fds, TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        var spec = new TimeSpec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };
        foreach (ref var entry in fds)
            entry.Revents = 0;
        fixed (PollFd* p = fds)
            PPoll(p, (nuint)fds.Length, &spec, null);
    }
}
