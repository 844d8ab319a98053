using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// Which PD process attached the XDP program on one interface: a file <c>/run/pd/xdp/NETNS-IFINDEX</c> holding the
/// owner's pid and the program's id, with an exclusive <c>flock</c> held for as long as the owner's provider is open.
/// The kernel drops the lock when the owner dies (kill -9 included), so a record that can be locked names a
/// program whose owner is gone.
/// </summary>
internal sealed class XdpOwnerRecord : IDisposable
{
    /// <summary>Where the records live (a tmpfs: a reboot, which also detaches every program, clears them).</summary>
    public const string Directory = "/run/pd/xdp";

    private readonly int _fd;
    private readonly string _path;

    private XdpOwnerRecord(int fd, string path, uint leftoverProgram)
    {
        _fd = fd;
        _path = path;
        LeftoverProgram = leftoverProgram;
    }

    /// <summary>The program a previous owner, now dead, recorded as attached (0: none).</summary>
    public uint LeftoverProgram { get; }

    /// <summary>
    /// Takes the record of interface <paramref name="ifindex"/> in network namespace <paramref name="networkNamespace"/>
    /// (its inode, from <c>/proc/thread-self/ns/net</c>); a live owner makes it throw <see cref="PdException"/> (Busy)
    /// naming its pid. Records of dead owners whose interface (<paramref name="interfaceExists"/>) or namespace is gone
    /// are removed on the way.
    /// </summary>
    public static XdpOwnerRecord Claim(string networkNamespace, int ifindex, string interfaceName, Func<int, bool> interfaceExists)
    {
        System.IO.Directory.CreateDirectory(Directory);
        StaleXdpOwnerRecords.Sweep(Directory, networkNamespace, interfaceExists);
        var path = Path.Combine(Directory, $"{networkNamespace}-{ifindex}");
        while (true)
        {
            var fd = Posix.open(path, OpenReadWriteCreate | OpenCloseOnExec, 0x180);
            if (fd < 0)
                throw new PdException(PdStatus.NotSupported, $"Cannot open the XDP owner record {path}: {Posix.LastError()}.");
            if (Posix.flock(fd, Posix.LockEx | Posix.LockNb) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                Posix.close(fd);
                if (errno != Posix.Ewouldblock)
                    throw new PdException(PdStatus.NotSupported, $"Cannot lock the XDP owner record {path}: {Marshal.GetPInvokeErrorMessage(errno)}.");
                var owner = Parse(SafeRead(path)).Pid;
                throw new PdException(PdStatus.Busy,
                    $"The XDP program on {interfaceName} belongs to a live PD provider (pid {(owner > 0 ? owner.ToString(CultureInfo.InvariantCulture) : "unknown")}; record {path}): close it first.");
            }
            // A sweeper may have removed the file between the open and the lock: the lock is then on a name no one else sees.
            if (new FileInfo($"/proc/self/fd/{fd}").LinkTarget == path)
                return new XdpOwnerRecord(fd, path, Parse(SafeRead(path)).Program);
            Posix.close(fd);
        }
    }

    /// <summary>
    /// The pid of the live PD provider whose XDP program owns interface <paramref name="ifindex"/> of network namespace
    /// <paramref name="networkNamespace"/>, or null when none does (no record, or its owner is dead).
    /// </summary>
    public static int? LiveOwner(string networkNamespace, int ifindex)
    {
        var path = Path.Combine(Directory, $"{networkNamespace}-{ifindex}");
        var fd = Posix.open(path, OpenCloseOnExec);
        if (fd < 0)
            return null;
        try
        {
            // A shared lock, dropped at once, meets only an owner's exclusive one.
            if (Posix.flock(fd, Posix.LockSh | Posix.LockNb) == 0)
                return null;
            return Parse(SafeRead(path)).Pid;
        }
        finally
        {
            Posix.close(fd);
        }
    }

    /// <summary>The inode of the calling thread's network namespace, the first half of a record's name.</summary>
    public static string CurrentNetworkNamespace() =>
        new FileInfo("/proc/thread-self/ns/net").LinkTarget is { } target && target.StartsWith("net:[", StringComparison.Ordinal)
            ? target[5..^1]
            : throw new PdException(PdStatus.NotSupported, "Cannot read /proc/thread-self/ns/net to name the XDP owner record.");

    /// <summary>Records this process as the owner of program <paramref name="programId"/>.</summary>
    public unsafe void Record(uint programId)
    {
        var text = Encoding.ASCII.GetBytes($"{Environment.ProcessId} {programId}\n");
        fixed (byte* bytes = text)
        {
            if (Posix.ftruncate(_fd, 0) != 0 || Posix.pwrite(_fd, bytes, (nuint)text.Length, 0) != text.Length)
                throw new PdException(PdStatus.NotSupported, $"Cannot write the XDP owner record {_path}: {Posix.LastError()}.");
        }
    }

    /// <summary>Removes the record (the program is detached) and drops the lock.</summary>
    public void Dispose()
    {
        File.Delete(_path);
        Release();
    }

    /// <summary>Drops the lock and leaves the record as it is (an attach that failed: the leftover it names stays recognisable for the next try).</summary>
    public void Release() => Posix.close(_fd);

    /// <summary>Reads "PID PROGRAM" as <see cref="Record"/> writes it; anything else (an empty file, damage) reads as no owner and no program.</summary>
    internal static (int Pid, uint Program) Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var program)
            ? (pid, program)
            : (0, 0);
    }

    /// <summary>The record's text (at most 64 bytes), read through a descriptor of its own: .NET's file reads take a flock of their own and would meet the owner's.</summary>
    private static unsafe string SafeRead(string path)
    {
        var fd = Posix.open(path, OpenCloseOnExec);
        if (fd < 0)
            return "";
        try
        {
            var buffer = stackalloc byte[64];
            var read = Posix.pread(fd, buffer, 64, 0);
            return read > 0 ? Encoding.ASCII.GetString(buffer, (int)read) : "";
        }
        finally
        {
            Posix.close(fd);
        }
    }

    private const int OpenReadWriteCreate = 2 | 0x40;
    private const int OpenCloseOnExec = 0x80000;
}
