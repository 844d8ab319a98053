using System.Globalization;
using System.Text.RegularExpressions;

namespace PdCluster.Node.Configuration;

/// <summary>
/// Replaces a file all at once: the new contents go to a temporary file in the same directory with the original's
/// owner, group and permissions, are flushed to disk, and the temporary file is renamed over the original. A failure at
/// any step leaves the original untouched and removes the temporary file. The temporary file's name carries the
/// writer's process id, so one left behind by a writer that was killed is recognised and removed by the next edit.
/// </summary>
internal static class AtomicFile
{
    /// <summary>What marks a temporary file of an edit: <c>.NAME.pd-edit-PID-RANDOM.tmp</c> beside the file NAME.</summary>
    private const string Marker = ".pd-edit-";

    /// <summary>
    /// Replaces <paramref name="path"/> (through a symbolic link, its target) with <paramref name="contents"/>.
    /// <paramref name="createTemp"/> opens the temporary file; tests pass one that fails.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> contents, Func<string, UnixFileMode?, FileStream>? createTemp = null)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        if (OperatingSystem.IsLinux())
            RemoveStale(target);
        var temp = TempName(target, Environment.ProcessId);
        UnixFileMode? mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(target);
        try
        {
            using (var stream = (createTemp ?? CreateTemp)(temp, mode))
            {
                stream.Write(contents);
                if (OperatingSystem.IsLinux())
                    KeepOwner(stream, target);
                // After the owner: giving a file away clears its set-user-id and set-group-id bits.
                if (mode is { } m && !OperatingSystem.IsWindows())
                    File.SetUnixFileMode(stream.SafeFileHandle, m);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The original is intact either way; a temporary file that cannot be removed is only clutter, and the next edit removes it.
            }
            throw;
        }
    }

    /// <summary>The temporary file an edit of <paramref name="target"/> by process <paramref name="pid"/> writes.</summary>
    internal static string TempName(string target, int pid) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}{Marker}{pid.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Gives the temporary file the original's owner and group. Without the right to (not root), the edit goes on only
    /// when the new file has them already; otherwise it stops, since the file would change hands.
    /// </summary>
    private static void KeepOwner(FileStream stream, string target)
    {
        var owner = Posix.Owner(target);
        if (Posix.Owner(stream.Name) == owner)
            return;
        if (Posix.TryChown(stream.SafeFileHandle, owner) is { } reason)
            throw new UnauthorizedAccessException($"the new file cannot be given the original's owner and group (uid {owner.Uid}, gid {owner.Gid}): {reason}; run the command as that user or as root");
    }

    /// <summary>Removes temporary files of earlier edits of <paramref name="target"/> whose writer is no longer alive.</summary>
    private static void RemoveStale(string target)
    {
        var name = new Regex($@"^\.{Regex.Escape(Path.GetFileName(target))}{Regex.Escape(Marker)}(\d{{1,10}})-[0-9a-f]{{32}}\.tmp$", RegexOptions.CultureInvariant);
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}{Marker}*.tmp"))
            {
                var match = name.Match(Path.GetFileName(file));
                if (match.Success && int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var pid)
                    && pid != Environment.ProcessId && !Posix.IsAlive(pid))
                    File.Delete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Clutter that cannot be removed does not stop the edit; the write itself reports a directory it cannot use.
        }
    }

    /// <summary>A new file, never an existing one, created with the original's permissions (less the umask) so it is never more open than the original.</summary>
    private static FileStream CreateTemp(string path, UnixFileMode? mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } m && !OperatingSystem.IsWindows())
            options.UnixCreateMode = m;
        return new FileStream(path, options);
    }
}
