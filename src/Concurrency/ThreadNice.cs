using System.Runtime.InteropServices;

namespace PdCluster.Concurrency;

/// <summary>
/// The calling thread's nice value on Linux (setpriority on its thread id). A poll thread that raises its own nice
/// value lets a control thread sharing its core (a supervisor, the admin endpoint) preempt it as soon as that thread
/// wakes, while it still gets every cycle nobody else wants. Raising needs no privilege; lowering needs CAP_SYS_NICE.
/// </summary>
public static class ThreadNice
{
    /// <summary>The least nice value (most CPU) Linux allows.</summary>
    public const int Min = -20;

    /// <summary>The most nice value (least CPU) Linux allows.</summary>
    public const int Max = 19;

    private const int PrioProcess = 0;

    /// <summary>Sets the calling thread's nice value; returns false where that is not possible (not Linux, or not permitted).</summary>
    public static bool TrySet(int nice)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nice, Min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nice, Max);
        if (!OperatingSystem.IsLinux())
            return false;
        return Native.SetPriority(PrioProcess, (uint)Native.GetTid(), nice) == 0;
    }

    /// <summary>The calling thread's nice value, or null where it cannot be read (not Linux).</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Marshal.SetLastPInvokeError(0);
        var nice = Native.GetPriority(PrioProcess, (uint)Native.GetTid());
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }
}
