using PdCluster.Nic.Adapters;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.Linux;

namespace PdCluster.Provider.AfXdp;

/// <summary>Provider <c>afxdp</c>: a Linux interface (optionally in a named network namespace) opened as an <see cref="AfXdpProvider"/>, its device events from rtnetlink.</summary>
public sealed class AfXdpProviderFactory : IPdProviderFactory
{
    /// <inheritdoc/>
    public string Name => "afxdp";

    /// <inheritdoc/>
    public AdapterInfo Describe(PdAdapterOptions options) => Info(options.Name, Options(options));

    /// <inheritdoc/>
    public PdAdapter Bind(PdAdapterOptions options)
    {
        var afxdp = Options(options);
        var ns = Enter(options.Name, afxdp);
        RtnetlinkDeviceEvents? events = null;
        try
        {
            var info = Info(options.Name, afxdp);
            events = new RtnetlinkDeviceEvents(afxdp.Interface, ns);
            return new PdAdapter(info, () =>
            {
                options.Requirements.Ensure(info);
                return new AfXdpProvider(info, afxdp, ns);
            }, events, injector: events, resources: new AdapterResources(events, ns)) { Announcer = new AfPacketAnnouncer(afxdp.Interface, ns) };
        }
        catch
        {
            events?.Dispose();
            ns?.Dispose();
            throw;
        }
    }

    private static AfXdpAdapterOptions Options(PdAdapterOptions options) =>
        options.AfXdp ?? throw new PdAdapterOptionsException($"{options.Name}: provider afxdp needs an \"interface\".");

    /// <summary>Enters the adapter's network namespace, if it names one; a failure names the adapter as discovery does.</summary>
    internal static NetworkNamespace? Enter(string adapter, AfXdpAdapterOptions options)
    {
        try
        {
            return options.NetworkNamespace is { } name ? new NetworkNamespace($"/run/netns/{name}") : null;
        }
        catch (PdAdapterOptionsException e)
        {
            throw new PdAdapterOptionsException($"{adapter}: {e.Message}.");
        }
    }

    /// <summary>What the interface is (<see cref="LinuxAdapterDiscovery"/>), with the queues the XDP filter table serves.</summary>
    internal static AdapterInfo Info(string name, AfXdpAdapterOptions options)
    {
        try
        {
            return LinuxAdapterDiscovery.Discover(options.Interface, options.NetworkNamespace) with
            {
                MaxReceiveQueues = XdpFilterTable.MaxQueues, MaxTransmitQueues = XdpFilterTable.MaxQueues, MaxQueueSize = 4096,
            };
        }
        catch (LinuxDiscoveryException e)
        {
            throw new PdAdapterOptionsException($"{name}: {e.Message}.");
        }
    }
}
