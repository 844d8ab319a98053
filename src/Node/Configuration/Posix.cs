using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PdCluster.Node.Configuration;

/// <summary>The few libc calls an atomic edit needs that .NET lacks: a file's owner and group, changing them, whether a process lives, and a lock on a folder.</summary>
internal static partial class Posix
{
    private const int CurrentDirectory = -100;
    private const uint OwnerAndGroup = 0x8 | 0x10;
    private const int StatxSize = 256;
    private const int UidOffset = 20;
    private const int GidOffset = 24;
    private const int NoSuchProcess = 3;
    private const uint FileType = 0x1;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int NoSuchFile = 2;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int FileChown(SafeFileHandle file, uint owner, uint group);

    private const int ReadOnlyDirectory = 0x10000 | 0x80000;
    private const int ExclusiveNonBlocking = 2 | 4;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>The user and group ids that own <paramref name="path"/> (a symbolic link is followed).</summary>
    public static unsafe (uint Uid, uint Gid) Owner(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(CurrentDirectory, path, 0, OwnerAndGroup, buffer) != 0)
            throw new IOException($"cannot read the owner of {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return (*(uint*)(buffer + UidOffset), *(uint*)(buffer + GidOffset));
    }

    /// <summary>Whether <paramref name="path"/> is a regular file (a symbolic link followed) or absent: not a device, FIFO or socket.</summary>
    public static unsafe bool IsRegularFileOrAbsent(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(CurrentDirectory, path, 0, FileType, buffer) != 0)
            return Marshal.GetLastPInvokeError() == NoSuchFile;
        return (*(ushort*)(buffer + ModeOffset) & TypeMask) == RegularFile;
    }

    /// <summary>Gives the open file <paramref name="file"/> to <paramref name="owner"/>; the system's reason when it may not.</summary>
    public static string? TryChown(SafeFileHandle file, (uint Uid, uint Gid) owner) =>
        FileChown(file, owner.Uid, owner.Gid) == 0 ? null : Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    /// <summary>
    /// Takes an exclusive flock on the folder <paramref name="directory"/> without waiting: the open descriptor (close it
    /// to let go), -1 while another process holds it; throws <see cref="IOException"/> when the folder cannot be opened.
    /// </summary>
    public static int TryLockDirectory(string directory)
    {
        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
            throw new IOException($"cannot open {directory}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        if (Flock(fd, ExclusiveNonBlocking) == 0)
            return fd;
        Close(fd);
        return -1;
    }

    /// <summary>Closes a descriptor <see cref="TryLockDirectory"/> gave, which lets the lock go.</summary>
    public static void Unlock(int fd) => Close(fd);

    /// <summary>Whether a process with id <paramref name="pid"/> exists (one of another user counts).</summary>
    public static bool IsAlive(int pid) => pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != NoSuchProcess);
}
