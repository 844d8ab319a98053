using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>The libbpf calls that load a BPF object and attach one of its programs to a tc hook (clsact); all on the control path.</summary>
internal static unsafe partial class LibBpfTc
{
    private const string Bpf = "libbpf.so.1";

    /// <summary>BPF_TC_INGRESS: the hook at a device's receive side.</summary>
    public const int Ingress = 1;

    [LibraryImport(Bpf, EntryPoint = "bpf_object__open_file", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ObjectOpenFile(string path, nint options);

    [LibraryImport(Bpf, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint bpfObject);

    [LibraryImport(Bpf, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint bpfObject);

    [LibraryImport(Bpf, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindProgram(nint bpfObject, string name);

    [LibraryImport(Bpf, EntryPoint = "bpf_program__fd")]
    public static partial int ProgramFd(nint program);

    [LibraryImport(Bpf, EntryPoint = "bpf_tc_hook_create")]
    public static partial int HookCreate(TcHook* hook);

    [LibraryImport(Bpf, EntryPoint = "bpf_tc_hook_destroy")]
    public static partial int HookDestroy(TcHook* hook);

    [LibraryImport(Bpf, EntryPoint = "bpf_tc_attach")]
    public static partial int Attach(TcHook* hook, TcOptions* options);

    /// <summary>libbpf's <c>struct bpf_tc_hook</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TcHook
    {
        public nuint Size;
        public int Ifindex;
        public int AttachPoint;
        public uint Parent;
        private readonly uint _padding;
    }

    /// <summary>libbpf's <c>struct bpf_tc_opts</c>; attach fills in the program id, handle and priority.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TcOptions
    {
        public nuint Size;
        public int ProgramFd;
        public uint Flags;
        public uint ProgramId;
        public uint Handle;
        public uint Priority;
        private readonly uint _padding;
    }
}
