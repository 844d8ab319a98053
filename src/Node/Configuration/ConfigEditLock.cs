using System.Diagnostics;

namespace PdCluster.Node.Configuration;

/// <summary>
/// One edit of a config file at a time: an exclusive flock on the file's folder (the file itself is replaced by a
/// rename, so a lock on it would lock the old copy), held from reading the file to renaming the edited copy over it.
/// Two <c>pd adapter enable-pd</c> runs at once then apply both changes, one after the other.
/// </summary>
internal sealed class ConfigEditLock : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly int _fd;

    private ConfigEditLock(int fd) => _fd = fd;

    /// <summary>Waits (up to 10 s) for the lock on <paramref name="path"/>'s folder; a <see cref="ConfigException"/> when it cannot have it.</summary>
    public static ConfigEditLock Take(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            int fd;
            try
            {
                fd = Posix.TryLockDirectory(directory);
            }
            catch (IOException e)
            {
                throw new ConfigException($"{path}: cannot lock its folder for the edit ({e.Message}); the file is unchanged.");
            }
            if (fd >= 0)
                return new ConfigEditLock(fd);
            if (clock.Elapsed > Patience)
                throw new ConfigException($"{path}: another edit of this folder's config has held it for {Patience.TotalSeconds:0} s; the file is unchanged.");
            Thread.Sleep(10);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Posix.Unlock(_fd);
}
