namespace PdCluster.Node.Configuration;

/// <summary>
/// Replaces a file all at once: the new contents go to a temporary file in the same directory with the original's
/// permissions, are flushed to disk, and the temporary file is renamed over the original. A failure at any step leaves
/// the original untouched and removes the temporary file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> (through a symbolic link, its target) with <paramref name="contents"/>.
    /// <paramref name="createTemp"/> opens the temporary file; tests pass one that fails.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> contents, Func<string, UnixFileMode?, FileStream>? createTemp = null)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        UnixFileMode? mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(target);
        try
        {
            using (var stream = (createTemp ?? CreateTemp)(temp, mode))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            if (mode is { } m && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, m);
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
                // The original is intact either way; a temporary file that cannot be removed is only clutter.
            }
            throw;
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
