using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>The libc calls the AF_XDP provider makes. Only the non-blocking kicks on the data path skip the GC transition.</summary>
internal static unsafe partial class Posix
{
    private const string C = "libc";

    public const int MsgDontWait = 0x40;
    public const int SolXdp = 283;
    public const int XdpStatisticsOption = 7;
    public const int Enxio = 6;
    public const int Enodev = 19;
    public const int Ebusy = 16;
    public const int Eagain = 11;
    public const int Eintr = 4;
    public const int Enobufs = 105;
    public const int Enetdown = 100;
    public const int CloneNewNet = 0x40000000;
    public const int CloneNewNs = 0x20000;
    public const nuint MsRec = 0x4000;
    public const nuint MsSlave = 0x80000;
    public const int MntDetach = 2;
    public const int LockSh = 1;
    public const int LockEx = 2;
    public const int LockNb = 4;
    public const int Ewouldblock = 11;
    public const int RlimitMemlock = 8;
    public const long BpfFsMagic = 0xcafe4a11;
    public const int AfNetlink = 16;
    public const int SockRawCloexec = 3 | 0x80000;
    public const int NetlinkRoute = 0;
    public const uint RtmgrpLink = 1;
    public const int SolSocket = 1;
    public const int SoRcvBuf = 8;
    public const int SoRcvBufForce = 33;
    public const int EfdCloexec = 0x80000;
    public const short PollIn = 1;

    [LibraryImport(C)]
    [SuppressGCTransition]
    public static partial int gettid();

    [LibraryImport(C, SetLastError = true)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvSuppressGCTransition)])]
    public static partial nint recvfrom(int fd, void* buffer, nuint length, int flags, void* address, void* addressLength);

    [LibraryImport(C, SetLastError = true)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvSuppressGCTransition)])]
    public static partial nint sendto(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(C, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint if_nametoindex(string name);

    [LibraryImport(C, SetLastError = true)]
    public static partial byte* if_indextoname(uint index, byte* name);

    [LibraryImport(C, SetLastError = true)]
    public static partial int getrlimit(int resource, ulong* limits);

    [LibraryImport(C, SetLastError = true)]
    public static partial int setns(int fd, int type);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport(C, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, uint mode);

    [LibraryImport(C, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint pread(int fd, void* buffer, nuint length, long offset);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint pwrite(int fd, void* buffer, nuint length, long offset);

    [LibraryImport(C, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint write(int fd, void* buffer, nuint length);

    [LibraryImport(C, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport(C, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statfs(string path, long* buffer);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string type, nuint flags, nint data);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(C, SetLastError = true)]
    public static partial int bind(int fd, void* address, uint addressLength);

    [LibraryImport(C, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, void* value, uint length);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(C, SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);

    /// <summary>strerror of the last P/Invoke error, for messages.</summary>
    public static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    /// <summary>The kernel's <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
