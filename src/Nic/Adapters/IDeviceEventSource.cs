namespace PdCluster.Nic.Adapters;

/// <summary>Something that reports an adapter's device events to subscribers.</summary>
public interface IDeviceEventSource
{
    /// <summary>Calls <paramref name="handler"/> for every event from now on, on the thread that raised it, until disposed.</summary>
    IDisposable Subscribe(Action<DeviceEvent> handler);

    /// <summary>The state now; read it after subscribing so no event falls in between.</summary>
    DeviceState Current { get; }
}
