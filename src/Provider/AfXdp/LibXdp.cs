using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>The libxdp (AF_XDP sockets, XDP program attach) and libbpf (maps) calls the provider makes; all on the control path.</summary>
internal static unsafe partial class LibXdp
{
    private const string Xdp = "libxdp.so.1";
    private const string Bpf = "libbpf.so.1";

    public const uint InhibitProgLoad = 1;
    public const ushort XdpCopy = 1 << 1;
    public const ushort XdpUseNeedWakeup = 1 << 3;
    public const uint UnalignedChunkFlag = 1;
    public const int ModeNative = 1;
    public const int ModeSkb = 2;
    public const uint XdpFlagsDriverMode = 1 << 2;
    public const uint XdpFlagsReplace = 1 << 4;
    public const int UnalignedOffsetShift = 48;
    public const ulong UnalignedAddressMask = (1UL << UnalignedOffsetShift) - 1;

    [LibraryImport(Xdp, EntryPoint = "xsk_umem__create")]
    public static partial int UmemCreate(out nint umem, void* area, ulong size, XskRing* fill, XskRing* comp, XskUmemConfig* config);

    [LibraryImport(Xdp, EntryPoint = "xsk_umem__delete")]
    public static partial int UmemDelete(nint umem);

    [LibraryImport(Xdp, EntryPoint = "xsk_umem__fd")]
    public static partial int UmemFd(nint umem);

    [LibraryImport(Xdp, EntryPoint = "xsk_socket__create_shared", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SocketCreateShared(out nint xsk, string ifname, uint queueId, nint umem, XskRing* rx, XskRing* tx, XskRing* fill, XskRing* comp, XskSocketConfig* config);

    [LibraryImport(Xdp, EntryPoint = "xsk_socket__delete")]
    public static partial void SocketDelete(nint xsk);

    [LibraryImport(Xdp, EntryPoint = "xsk_socket__fd")]
    public static partial int SocketFd(nint xsk);

    [LibraryImport(Xdp, EntryPoint = "xdp_program__open_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ProgramOpenFile(string path, string section, nint options);

    [LibraryImport(Xdp, EntryPoint = "xdp_program__attach")]
    public static partial int ProgramAttach(nint program, int ifindex, int mode, uint flags);

    [LibraryImport(Xdp, EntryPoint = "xdp_program__fd")]
    public static partial int ProgramFd(nint program);

    [LibraryImport(Xdp, EntryPoint = "xdp_program__close")]
    public static partial void ProgramClose(nint program);

    [LibraryImport(Xdp, EntryPoint = "xdp_program__bpf_obj")]
    public static partial nint ProgramObject(nint program);

    [LibraryImport(Xdp, EntryPoint = "libxdp_get_error")]
    public static partial long GetError(nint pointer);

    [LibraryImport(Bpf, EntryPoint = "bpf_object__find_map_fd_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FindMapFd(nint bpfObject, string name);

    [LibraryImport(Bpf, EntryPoint = "bpf_map_update_elem")]
    public static partial int MapUpdate(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Bpf, EntryPoint = "bpf_map_delete_elem")]
    public static partial int MapDelete(int fd, void* key);

    [LibraryImport(Bpf, EntryPoint = "bpf_map_lookup_elem")]
    public static partial int MapLookup(int fd, void* key, void* value);

    [LibraryImport(Bpf, EntryPoint = "bpf_xdp_query_id")]
    public static partial int XdpQueryId(int ifindex, int flags, uint* programId);

    [LibraryImport(Bpf, EntryPoint = "bpf_prog_get_fd_by_id")]
    public static partial int ProgramFdById(uint id);

    [LibraryImport(Bpf, EntryPoint = "bpf_xdp_detach")]
    public static partial int XdpDetach(int ifindex, uint flags, XdpAttachOptions* options);

    /// <summary>libbpf's <c>struct bpf_xdp_attach_opts</c>: with XDP_FLAGS_REPLACE, the program that must still be attached.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct XdpAttachOptions
    {
        public nuint Size;
        public int OldProgramFd;
    }

    [LibraryImport(Bpf, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int PossibleCpus();
}
