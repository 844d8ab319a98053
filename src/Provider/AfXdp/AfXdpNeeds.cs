using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>What AF_XDP needs from the host, checked with a clear error each: bpffs at /sys/fs/bpf, and UMEM within RLIMIT_MEMLOCK unless CAP_IPC_LOCK.</summary>
internal sealed unsafe class AfXdpNeeds
{
    public const string BpfFs = "/sys/fs/bpf";
    private const int CapIpcLock = 14;
    private static readonly Lock MountLock = new();

    /// <summary>Mounts bpffs at /sys/fs/bpf when it is missing (libxdp keeps its lock there); adapters opening at once mount it once.</summary>
    public static void EnsureBpfFs()
    {
        var buffer = stackalloc long[16];
        lock (MountLock)
        {
            if (Posix.statfs(BpfFs, buffer) == 0 && buffer[0] == Posix.BpfFsMagic)
                return;
            if (Posix.mount("bpf", BpfFs, "bpf", 0, 0) != 0)
                throw new PdException(PdStatus.NotSupported, $"AF_XDP needs bpffs at {BpfFs} and mounting it failed: {Posix.LastError()} (mount -t bpf bpf {BpfFs}).");
        }
    }

    /// <summary>Refuses a UMEM of <paramref name="bytes"/> that cannot be locked.</summary>
    public static void EnsureMemlock(ulong bytes)
    {
        if (MemlockRefusal(bytes, MemlockLimit(), HasCapability(CapIpcLock)) is { } refusal)
            throw new PdException(PdStatus.InsufficientResources, refusal);
    }

    /// <summary>Why a UMEM of <paramref name="bytes"/> cannot be registered under <paramref name="limit"/> (null: unlimited), or null when it can.</summary>
    public static string? MemlockRefusal(ulong bytes, ulong? limit, bool capIpcLock) =>
        !capIpcLock && limit is { } l && bytes > l
            ? $"The UMEM (the buffer pool, {bytes >> 10} KiB) is over RLIMIT_MEMLOCK ({l >> 10} KiB) and the process lacks CAP_IPC_LOCK: use a smaller pool, raise the limit or grant the capability."
            : null;

    /// <summary>The soft RLIMIT_MEMLOCK in bytes; null when unlimited or unknown.</summary>
    private static ulong? MemlockLimit()
    {
        var limits = stackalloc ulong[2];
        return Posix.getrlimit(Posix.RlimitMemlock, limits) == 0 && limits[0] != ulong.MaxValue ? limits[0] : null;
    }

    /// <summary>The error for a failed UMEM registration, naming the limit when it was memory locking.</summary>
    public PdException UmemFailure(int errno, ulong bytes) => errno == Posix.Enobufs || errno == 12
        ? new PdException(PdStatus.InsufficientResources, $"Registering the UMEM ({bytes >> 10} KiB) failed: {Marshal.GetPInvokeErrorMessage(errno)}; it counts against RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK.")
        : new PdException(PdStatus.InsufficientResources, $"Registering the UMEM ({bytes >> 10} KiB) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");

    private static bool HasCapability(int capability)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << capability)) != 0;
        }
        return false;
    }
}
