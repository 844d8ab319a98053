using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// Removes the <see cref="XdpOwnerRecord"/>s that can never matter again: their owner is dead (the record can be
/// locked) and their interface or its whole network namespace is gone, so the kernel dropped the program with the
/// device. Without this, every node killed with SIGKILL on an interface that was later deleted leaves a file for good.
/// </summary>
internal static class StaleXdpOwnerRecords
{
    /// <summary>
    /// Sweeps <paramref name="directory"/>: a record of namespace <paramref name="networkNamespace"/> goes when
    /// <paramref name="interfaceExists"/> says its ifindex is gone; a record of another namespace goes when no thread
    /// and no bind mount holds that namespace any more.
    /// </summary>
    public static void Sweep(string directory, string networkNamespace, Func<int, bool> interfaceExists)
    {
        HashSet<string>? live = null;
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            var dash = name.LastIndexOf('-');
            if (dash <= 0 || !int.TryParse(name.AsSpan(dash + 1), out var ifindex) || !ulong.TryParse(name.AsSpan(0, dash), out _))
                continue;
            var ns = name[..dash];
            var gone = ns == networkNamespace ? !interfaceExists(ifindex) : !(live ??= LiveNetworkNamespaces()).Contains(ns);
            if (gone)
                RemoveIfOwnerDead(path);
        }
    }

    /// <summary>Whether interface <paramref name="ifindex"/> exists in the calling thread's network namespace.</summary>
    public static unsafe bool InterfaceExists(int ifindex)
    {
        var name = stackalloc byte[16];
        return Posix.if_indextoname((uint)ifindex, name) != null;
    }

    /// <summary>Removes the record only while holding its lock, so a live owner's record is never touched.</summary>
    private static void RemoveIfOwnerDead(string path)
    {
        var fd = Posix.open(path, OpenReadWrite | OpenCloseOnExec);
        if (fd < 0)
            return;
        try
        {
            if (Posix.flock(fd, Posix.LockEx | Posix.LockNb) == 0)
                File.Delete(path);
        }
        catch (IOException)
        {
            // Another sweeper removed it first.
        }
        finally
        {
            Posix.close(fd);
        }
    }

    /// <summary>The inodes of every network namespace a thread is in or a bind mount (ip netns) keeps.</summary>
    private static HashSet<string> LiveNetworkNamespaces()
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in EnumerateOrEmpty("/proc", "[0-9]*").SelectMany(p => EnumerateOrEmpty(Path.Combine(p, "task"), "[0-9]*")))
        {
            if (Inode(() => new FileInfo(Path.Combine(task, "ns", "net")).LinkTarget) is { } inode)
                live.Add(inode);
        }
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "... ROOT MOUNTPOINT ... - nsfs nsfs rw": a bind-mounted namespace's root is "net:[INODE]".
            var fields = line.Split(' ');
            if (fields.Length > 4 && line.Contains(" - nsfs ", StringComparison.Ordinal) && Inode(() => fields[3]) is { } inode)
                live.Add(inode);
        }
        return live;
    }

    private static IEnumerable<string> EnumerateOrEmpty(string directory, string pattern)
    {
        try
        {
            return Directory.GetDirectories(directory, pattern);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? Inode(Func<string?> link)
    {
        try
        {
            return link() is { } target && target.StartsWith("net:[", StringComparison.Ordinal) && target.EndsWith(']') ? target[5..^1] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The thread ended while the list was read.
            return null;
        }
    }

    private const int OpenReadWrite = 2;
    private const int OpenCloseOnExec = 0x80000;
}
