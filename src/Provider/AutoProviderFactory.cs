using System.Runtime.InteropServices;
using PdCluster.Nic.Adapters;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Provider;

/// <summary>
/// Provider <c>auto</c> for a Linux interface: AF_XDP where it works, else AF_PACKET. Describing the adapter checks
/// what can be checked without touching the interface (libxdp loads, the XDP program was built); binding it also
/// attaches and detaches the XDP program once, so an interface whose driver or XDP slot refuses it falls back to
/// AF_PACKET. The adapter's <see cref="AdapterInfo.ChosenProvider"/> names the choice.
/// </summary>
public sealed class AutoProviderFactory : IPdProviderFactory
{
    private readonly AfXdpProviderFactory _afxdp = new();
    private readonly AfPacketProviderFactory _afpacket = new();

    /// <inheritdoc/>
    public string Name => "auto";

    /// <inheritdoc/>
    public AdapterInfo Describe(PdAdapterOptions options)
    {
        var factory = Choose(options, trial: false);
        return factory.Describe(options) with { ChosenProvider = factory.Name };
    }

    /// <inheritdoc/>
    public PdAdapter Bind(PdAdapterOptions options)
    {
        var factory = Choose(options, trial: true);
        var bound = factory.Bind(options);
        var info = bound.Info with { ChosenProvider = factory.Name };
        return new PdAdapter(info, bound.OpenProvider, bound.Events, bound.Injector, bound.Traffic, bound) { Announcer = bound.Announcer };
    }

    /// <summary>Why AF_XDP cannot run on the adapter of <paramref name="options"/>, or null when it can (as far as <paramref name="trial"/> goes).</summary>
    public static string? AfXdpUnavailable(PdAdapterOptions options, bool trial)
    {
        var afxdp = options.AfXdp ?? throw new PdAdapterOptionsException($"{options.Name}: provider auto needs an \"interface\".");
        if (!NativeLibrary.TryLoad("libxdp.so.1", out var library))
            return "libxdp1 is not installed";
        NativeLibrary.Free(library);
        var program = afxdp.ProgramPath ?? Path.Combine(AppContext.BaseDirectory, "pd_xdp.o");
        if (!File.Exists(program))
            return $"the XDP program {program} was not built (clang missing at build time)";
        if (!trial)
            return null;
        using var ns = AfXdpProviderFactory.Enter(options.Name, afxdp);
        try
        {
            using var provider = new AfXdpProvider(AfXdpProviderFactory.Info(options.Name, afxdp), afxdp, ns);
            return null;
        }
        catch (PdException e)
        {
            return e.Message;
        }
    }

    private IPdProviderFactory Choose(PdAdapterOptions options, bool trial) => AfXdpUnavailable(options, trial) is null ? _afxdp : _afpacket;
}
