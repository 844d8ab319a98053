using PdCluster.Nic.Adapters;

namespace PdCluster.Provider.AfXdp;

/// <summary>Provider <c>afxdp</c>: a Linux interface (optionally in a named network namespace) opened as an <see cref="AfXdpProvider"/>, its device events from rtnetlink.</summary>
public sealed class AfXdpProviderFactory : IPdProviderFactory
{
    /// <inheritdoc/>
    public string Name => "afxdp";

    /// <inheritdoc/>
    public AdapterInfo Describe(PdAdapterOptions options)
    {
        var afxdp = Options(options);
        using var ns = Enter(afxdp);
        return Info(options.Name, afxdp, ns);
    }

    /// <inheritdoc/>
    public PdAdapter Bind(PdAdapterOptions options)
    {
        var afxdp = Options(options);
        var ns = Enter(afxdp);
        RtnetlinkDeviceEvents? events = null;
        try
        {
            var info = Info(options.Name, afxdp, ns);
            events = new RtnetlinkDeviceEvents(afxdp.Interface, ns);
            return new PdAdapter(info, () => new AfXdpProvider(info, afxdp, ns), events, injector: events, resources: new AdapterResources(events, ns));
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

    internal static NetworkNamespace? Enter(AfXdpAdapterOptions options) =>
        options.NetworkNamespace is { } name ? new NetworkNamespace($"/run/netns/{name}") : null;

    /// <summary>What the interface is: its MAC from the kernel, the veth/virtio development adapters named as such.</summary>
    internal static AdapterInfo Info(string name, AfXdpAdapterOptions options, NetworkNamespace? ns)
    {
        var mac = ns is null ? InterfaceAddress.Mac(options.Interface) : ns.Run(() => InterfaceAddress.Mac(options.Interface));
        if (mac is not { } address)
            throw new PdAdapterOptionsException($"{name}: there is no interface {options.Interface}{(ns is null ? "" : $" in network namespace {options.NetworkNamespace}")}.");
        return new AdapterInfo(options.Interface, address, LinkType.Ethernet, default, "Linux interface", "linux", Environment.OSVersion.Version.ToString(), "",
            MaxReceiveQueues: XdpFilterTable.MaxQueues, MaxTransmitQueues: XdpFilterTable.MaxQueues, MaxQueueSize: 4096, LinkSpeedMbps: 10_000);
    }
}
