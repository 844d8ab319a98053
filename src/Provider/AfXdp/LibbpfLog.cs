using System.Runtime.InteropServices;
using System.Text;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// Takes libbpf's and libxdp's own messages off standard error. On kernels without libxdp's multi-program dispatcher
/// every start printed a page of expected warnings (the dispatcher failing to load, "permission error ... try raising
/// ulimit -l", BTF sections skipped) that read like failures. The provider keeps the latest warning and names it in
/// its own error when loading or attaching fails; <c>PD_LIBBPF_LOG=1</c> prints every message as the libraries did.
/// </summary>
internal static unsafe partial class LibbpfLog
{
    private const int Warning = 0;
    private const int Debug = 2;
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("PD_LIBBPF_LOG") == "1";
    private static readonly Lazy<bool> Installed = new(() =>
    {
        delegate* unmanaged<int, byte*, nint, int> print = &Print;
        LibbpfSetPrint(print);
        LibxdpSetPrint(print);
        return true;
    });
    private static volatile string? _lastWarning;

    /// <summary>Routes both libraries' messages here (once per process).</summary>
    public static void Install() => _ = Installed.Value;

    /// <summary>" (libbpf: the last warning)" when a warning came after <paramref name="since"/> was taken, else empty.</summary>
    public static string Since(string? since) => _lastWarning is { } last && !ReferenceEquals(last, since) ? $" (libbpf: {last})" : "";

    /// <summary>The latest warning, to pass to <see cref="Since"/> after a call that may fail.</summary>
    public static string? Mark => _lastWarning;

    [UnmanagedCallersOnly]
    private static int Print(int level, byte* format, nint arguments)
    {
        if (level == Debug && !Verbose)
            return 0;
        const int size = 512;
        var buffer = stackalloc byte[size];
        var length = Math.Clamp(VsnPrintf(buffer, size, format, arguments), 0, size - 1);
        var line = Encoding.UTF8.GetString(buffer, length).TrimEnd('\n');
        if (Verbose)
            Console.Error.WriteLine(line);
        else if (level == Warning)
            _lastWarning = line;
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    private static partial int VsnPrintf(byte* buffer, nuint size, byte* format, nint arguments);

    [LibraryImport("libbpf.so.1", EntryPoint = "libbpf_set_print")]
    private static partial nint LibbpfSetPrint(delegate* unmanaged<int, byte*, nint, int> print);

    [LibraryImport("libxdp.so.1", EntryPoint = "libxdp_set_print")]
    private static partial nint LibxdpSetPrint(delegate* unmanaged<int, byte*, nint, int> print);
}
