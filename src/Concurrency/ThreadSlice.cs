using System.Runtime.InteropServices;

namespace PdCluster.Concurrency;

/// <summary>
/// The calling thread's time slice under Linux's EEVDF scheduler (6.12 on: <c>sched_setattr</c>'s <c>sched_runtime</c>
/// for SCHED_OTHER). A thread that wakes with a shorter slice than the one running on its core preempts it at once;
/// with equal slices it waits until the running thread's slice ends (1.5–3 ms by default).
/// </summary>
public static unsafe partial class ThreadSlice
{
    /// <summary>
    /// What a data-path thread that spins on its rings takes: longer than any default slice, so every control thread
    /// woken on its core (a filter publish, a supervisor, a reply's waiter) runs at once instead of a slice later.
    /// </summary>
    public static readonly TimeSpan Spinning = TimeSpan.FromMilliseconds(10);

    private const int SchedOther = 0;
    private const ulong ResetOnFork = 0x01;

    /// <summary>The kernel's <c>struct sched_attr</c> (the fields up to <c>sched_util_max</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
        public uint UtilMin;
        public uint UtilMax;
    }

    /// <summary>
    /// Gives the calling thread <paramref name="slice"/> (0.1–100 ms), keeping its policy and nice value; threads it
    /// starts afterwards do not inherit it. False where
    /// it cannot: not Linux, a kernel without custom slices, or a thread under another policy than SCHED_OTHER.
    /// </summary>
    public static bool TrySet(TimeSpan slice)
    {
        if (!OperatingSystem.IsLinux() || SetAttr == 0)
            return false;
        var attr = new SchedAttr { Size = (uint)sizeof(SchedAttr) };
        if (syscall(GetAttr, 0, &attr, (nint)sizeof(SchedAttr), 0) != 0 || attr.Policy != SchedOther)
            return false;
        attr.Size = (uint)sizeof(SchedAttr);
        // Threads this one starts (a thread-pool worker injected from an enqueue here, say) take the default again.
        attr.Flags = ResetOnFork;
        attr.Runtime = (ulong)(slice.Ticks * 100);
        return syscall(SetAttr, 0, &attr, 0, 0) == 0;
    }

    /// <summary>The calling thread's slice as the kernel holds it (0: the default), or null where it cannot be read.</summary>
    public static TimeSpan? Current()
    {
        if (!OperatingSystem.IsLinux() || GetAttr == 0)
            return null;
        var attr = new SchedAttr { Size = (uint)sizeof(SchedAttr) };
        return syscall(GetAttr, 0, &attr, (nint)sizeof(SchedAttr), 0) == 0 ? TimeSpan.FromTicks((long)(attr.Runtime / 100)) : null;
    }

    private static long SetAttr => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 314,
        Architecture.Arm64 => 274,
        _ => 0,
    };

    private static long GetAttr => SetAttr == 0 ? 0 : SetAttr + 1;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int syscall(long number, int pid, void* attr, nint size, uint flags);
}
