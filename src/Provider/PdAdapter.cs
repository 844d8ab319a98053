using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;

namespace PdCluster.Provider;

/// <summary>
/// An adapter bound to its kind of provider: what it is, where its device events come from, how to open a PD provider
/// on it (PD's requirements are checked then), whether it takes injected events, and the lab traffic around it if any.
/// Disposing releases what binding made (a simulated lab, a kernel listener).
/// </summary>
public sealed class PdAdapter(AdapterInfo info, Func<IPdProvider> open, IDeviceEventSource events, IDeviceEventInjector? injector = null, ILabTraffic? traffic = null, IDisposable? resources = null)
    : IDisposable
{
    /// <summary>What the adapter is.</summary>
    public AdapterInfo Info { get; } = info;

    /// <summary>The adapter's link, power and PnP events.</summary>
    public IDeviceEventSource Events { get; } = events;

    /// <summary>Where operators and tests inject device events, if the adapter takes them.</summary>
    public IDeviceEventInjector? Injector { get; } = injector;

    /// <summary>The traffic a lab offers this adapter, if it has one.</summary>
    public ILabTraffic? Traffic { get; } = traffic;

    /// <summary>Announces addresses this host takes over on the adapter's link (gratuitous ARP, unsolicited neighbor advertisement), where the provider can send one.</summary>
    public IAddressAnnouncer? Announcer { get; init; }

    /// <summary>Opens a PD provider (throws <see cref="Nic.Requirements.PdNotSupportedException"/> when the adapter fails PD's requirements).</summary>
    public IPdProvider OpenProvider() => open();

    /// <inheritdoc/>
    public void Dispose() => resources?.Dispose();
}
