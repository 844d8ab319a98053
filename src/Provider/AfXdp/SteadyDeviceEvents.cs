using PdCluster.Nic.Adapters;

namespace PdCluster.Provider.AfXdp;

/// <summary>The device events of an AF_XDP adapter until the rtnetlink listener exists: present, enabled, link up, and no events (a ring's ENXIO/ENODEV still stops its queues).</summary>
internal sealed class SteadyDeviceEvents : IDeviceEventSource
{
    public DeviceState Current { get; } = new(LinkUp: true, Enabled: true, FullPower: true, Present: true);

    public IDisposable Subscribe(Action<DeviceEvent> handler) => new Subscription();

    private sealed class Subscription : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
