using PdCluster.Nic.Adapters;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Provider.AfPacket;

/// <summary>Provider <c>afpacket</c>: a Linux interface (optionally in a named network namespace) opened as an <see cref="AfPacketProvider"/>, its device events from rtnetlink.</summary>
public sealed class AfPacketProviderFactory : IPdProviderFactory
{
    /// <inheritdoc/>
    public string Name => "afpacket";

    /// <inheritdoc/>
    public AdapterInfo Describe(PdAdapterOptions options)
    {
        return Info(options.Name, Options(options));
    }

    /// <inheritdoc/>
    public PdAdapter Bind(PdAdapterOptions options)
    {
        var afpacket = Options(options);
        var ns = AfXdpProviderFactory.Enter(options.Name, afpacket);
        RtnetlinkDeviceEvents? events = null;
        try
        {
            var info = Info(options.Name, afpacket);
            events = new RtnetlinkDeviceEvents(afpacket.Interface, ns);
            return new PdAdapter(info, () =>
            {
                options.Requirements.Ensure(info);
                return new AfPacketProvider(info, new AfPacketAdapterOptions(afpacket.Interface, afpacket.NetworkNamespace), ns);
            }, events, injector: events, resources: new AdapterResources(events, ns)) { Announcer = new AfPacketAnnouncer(afpacket.Interface, ns) };
        }
        catch
        {
            events?.Dispose();
            ns?.Dispose();
            throw;
        }
    }

    /// <summary>The interface as <see cref="AfXdpProviderFactory"/> describes it, with AF_PACKET's queue limits and its split of the filter fields.</summary>
    private static AdapterInfo Info(string name, AfXdpAdapterOptions options) =>
        AfXdpProviderFactory.Info(name, options) with
        {
            MaxReceiveQueues = AfPacketProvider.MaxQueues,
            MaxTransmitQueues = AfPacketProvider.MaxQueues,
            MaxQueueSize = AfPacketProvider.MaxQueueSize,
            KernelFilterFields = SocketFilterCompiler.KernelFields,
            SoftwareFilterFields = SocketFilterCompiler.SoftwareFields,
        };

    /// <summary>The interface options in the shape the shared interface helpers take.</summary>
    private static AfXdpAdapterOptions Options(PdAdapterOptions options) =>
        options.AfPacket is { } afpacket
            ? new AfXdpAdapterOptions(afpacket.Interface, afpacket.NetworkNamespace)
            : throw new PdAdapterOptionsException($"{options.Name}: provider afpacket needs an \"interface\".");
}
