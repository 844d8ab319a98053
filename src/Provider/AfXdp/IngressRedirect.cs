namespace PdCluster.Provider.AfXdp;

/// <summary>
/// The OS path's tc program (pd_os_path.o) on the ingress hook of one device: every frame arriving there is moved onto
/// the receive path of another device (bpf_redirect with BPF_F_INGRESS). Disposing removes the hook and the program.
/// Create and dispose it in the devices' network namespace.
/// </summary>
internal sealed unsafe class IngressRedirect : IDisposable
{
    private const string ProgramName = "pd_os_ingress";
    private readonly nint _object;
    private LibBpfTc.TcHook _hook;

    /// <summary>Attaches the program at <paramref name="fromIndex"/>'s ingress, redirecting to <paramref name="toIndex"/>'s.</summary>
    public IngressRedirect(string objectPath, int fromIndex, int toIndex)
    {
        if (!File.Exists(objectPath))
            throw new PdException(PdStatus.NotSupported, $"The OS path's tc program {objectPath} is missing: the build compiles it with clang (-target bpf); install clang and rebuild.");
        _object = LibBpfTc.ObjectOpenFile(objectPath, 0);
        if (_object == 0)
            throw new PdException(PdStatus.NotSupported, $"Opening {objectPath} failed: {Posix.LastError()}.");
        try
        {
            if (LibBpfTc.ObjectLoad(_object) is var loaded and not 0)
                throw Failed($"loading {objectPath}", loaded);
            var target = (uint)toIndex;
            var key = 0u;
            if (LibXdp.MapUpdate(LibXdp.FindMapFd(_object, "pd_os_target"), &key, &target, 0) is var updated and not 0)
                throw Failed("setting the target interface", updated);
            _hook = new LibBpfTc.TcHook { Size = (nuint)sizeof(LibBpfTc.TcHook), Ifindex = fromIndex, AttachPoint = LibBpfTc.Ingress };
            fixed (LibBpfTc.TcHook* hook = &_hook)
            {
                if (LibBpfTc.HookCreate(hook) is var created and not 0)
                    throw Failed("creating the clsact hook", created);
                var options = new LibBpfTc.TcOptions { Size = (nuint)sizeof(LibBpfTc.TcOptions), ProgramFd = LibBpfTc.ProgramFd(LibBpfTc.FindProgram(_object, ProgramName)) };
                if (LibBpfTc.Attach(hook, &options) is var attached and not 0)
                {
                    LibBpfTc.HookDestroy(hook);
                    throw Failed($"attaching {ProgramName}", attached);
                }
            }
        }
        catch
        {
            LibBpfTc.ObjectClose(_object);
            throw;
        }
    }

    public void Dispose()
    {
        fixed (LibBpfTc.TcHook* hook = &_hook)
            LibBpfTc.HookDestroy(hook);
        LibBpfTc.ObjectClose(_object);
    }

    private static PdException Failed(string step, int error) =>
        new(PdStatus.NotSupported, $"The OS path's tc program: {step} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(-error)}.");
}
