using System.Runtime.InteropServices;

namespace PdCluster.Queues.Input;

/// <summary>Tells a FIFO or socket from a file without blocking: opening a FIFO for reading waits for a writer forever.</summary>
internal static partial class FileKind
{
    private const int ReadOnly = 0;
    private const int NonBlock = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int SeekEnd = 2;
    private const int IllegalSeek = 29;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Seek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Whether <paramref name="path"/> is a stream with no end to seek to (a FIFO, a socket); false when it cannot be told.</summary>
    public static bool IsPipe(string path)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        var fd = Open(path, ReadOnly | NonBlock | CloseOnExec);
        if (fd < 0)
            return false;
        try
        {
            return Seek(fd, 0, SeekEnd) < 0 && Marshal.GetLastPInvokeError() == IllegalSeek;
        }
        finally
        {
            Close(fd);
        }
    }
}
