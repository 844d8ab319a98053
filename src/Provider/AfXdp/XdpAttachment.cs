using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// The project's XDP program attached to one interface in native mode, owned through an <see cref="XdpOwnerRecord"/>:
/// a program a dead PD process left attached (kill -9) is detached before attaching, while one that belongs to a live
/// provider, or to anyone else, is refused as busy.
/// </summary>
internal sealed class XdpAttachment : IDisposable
{
    private const int Eexist = 17;
    private readonly nint _program;
    private readonly int _ifindex;
    private readonly NetworkNamespace? _namespace;
    private readonly XdpOwnerRecord _record;

    private XdpAttachment(nint program, int ifindex, NetworkNamespace? ns, XdpOwnerRecord record)
    {
        _program = program;
        _ifindex = ifindex;
        _namespace = ns;
        _record = record;
    }

    /// <summary>Attaches <paramref name="program"/> (a libxdp program) to interface <paramref name="ifindex"/> in <paramref name="ns"/>; throws <see cref="PdException"/> naming why it cannot.</summary>
    public static XdpAttachment Attach(nint program, int ifindex, string interfaceName, NetworkNamespace? ns)
    {
        var record = XdpOwnerRecord.Claim(Run(ns, XdpOwnerRecord.CurrentNetworkNamespace), ifindex, interfaceName,
            other => Run(ns, () => StaleXdpOwnerRecords.InterfaceExists(other)));
        var mark = LibbpfLog.Mark;
        try
        {
            var result = Run(ns, () => LibXdp.ProgramAttach(program, ifindex, LibXdp.ModeNative, 0));
            if (-result is Posix.Ebusy or Eexist)
            {
                var holder = Run(ns, () => AttachedProgram(ifindex));
                if (holder == 0 || holder != record.LeftoverProgram)
                    throw new PdException(PdStatus.Busy,
                        $"Attaching the XDP program to {interfaceName} failed: another XDP program{(holder == 0 ? "" : $" (id {holder})")} holds the interface and no dead PD node left it " +
                        $"(this kernel has no multi-program dispatcher, so one program owns an interface; see it with `bpftool net show dev {interfaceName}`).");
                Run(ns, () => DetachLeftover(ifindex, holder, interfaceName));
                result = Run(ns, () => LibXdp.ProgramAttach(program, ifindex, LibXdp.ModeNative, 0));
            }
            if (-result is Posix.Enodev or Posix.Enxio)
                throw new PdException(PdStatus.DeviceRemoved, $"Attaching the XDP program to {interfaceName} failed: {Marshal.GetPInvokeErrorMessage(-result)} (the device is gone).");
            if (result != 0)
                throw new PdException(PdStatus.Busy, $"Attaching the XDP program to {interfaceName} failed: {Marshal.GetPInvokeErrorMessage(-result)}{LibbpfLog.Since(mark)}.");
            record.Record(Run(ns, () => AttachedProgram(ifindex)));
            return new XdpAttachment(program, ifindex, ns, record);
        }
        catch
        {
            if (record.LeftoverProgram == 0)
                record.Dispose();
            else
                record.Release();
            throw;
        }
    }

    /// <summary>Detaches the program (libbpf's detach: libxdp's leaves a descriptor of the program open, keeping it and its maps loaded) and removes the owner record; a device already gone has detached it itself.</summary>
    public void Dispose()
    {
        Run(_namespace, () => Detach(_ifindex, LibXdp.ProgramFd(_program)));
        _record.Dispose();
    }

    /// <summary>The id of the XDP program attached to <paramref name="ifindex"/> (0: none, or several in different modes).</summary>
    private static unsafe uint AttachedProgram(int ifindex)
    {
        uint id = 0;
        return LibXdp.XdpQueryId(ifindex, 0, &id) == 0 ? id : 0;
    }

    /// <summary>Detaches program <paramref name="id"/>, a dead PD node's leftover, from <paramref name="ifindex"/> only if it is still the one attached.</summary>
    private static unsafe int DetachLeftover(int ifindex, uint id, string interfaceName)
    {
        var fd = LibXdp.ProgramFdById(id);
        if (fd < 0)
            throw new PdException(PdStatus.Busy, $"The XDP program {id} a dead PD node left on {interfaceName} cannot be opened to detach it: {Marshal.GetPInvokeErrorMessage(-fd)}.");
        try
        {
            var result = Detach(ifindex, fd);
            return result == 0 ? 0
                : throw new PdException(PdStatus.Busy, $"Detaching the XDP program {id} a dead PD node left on {interfaceName} failed: {Marshal.GetPInvokeErrorMessage(-result)}.");
        }
        finally
        {
            Posix.close(fd);
        }
    }

    /// <summary>Detaches the native-mode program of <paramref name="ifindex"/> if it is still <paramref name="programFd"/>'s (XDP_FLAGS_REPLACE); a negative errno otherwise.</summary>
    private static unsafe int Detach(int ifindex, int programFd)
    {
        var options = new LibXdp.XdpAttachOptions { Size = (nuint)sizeof(LibXdp.XdpAttachOptions), OldProgramFd = programFd };
        return LibXdp.XdpDetach(ifindex, LibXdp.XdpFlagsDriverMode | LibXdp.XdpFlagsReplace, &options);
    }

    private static T Run<T>(NetworkNamespace? ns, Func<T> call) => ns is null ? call() : ns.Run(call);
}
