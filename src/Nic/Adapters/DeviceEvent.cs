namespace PdCluster.Nic.Adapters;

/// <summary>Power, PnP and link events an adapter raises; the supervisors' input.</summary>
public enum DeviceEvent
{
    LinkUp,
    LinkDown,
    /// <summary>Administratively disabled (admin down).</summary>
    Disable,
    Enable,
    /// <summary>Entering low power (D3).</summary>
    LowPower,
    /// <summary>Back to full power (D0).</summary>
    FullPower,
    /// <summary>The device is gone without warning; its queues fail.</summary>
    SurpriseRemoval,
    /// <summary>A (new) device appeared on this port.</summary>
    Arrival,
}

/// <summary>An adapter's link, admin, power and presence state at one instant.</summary>
public readonly record struct DeviceState(bool LinkUp, bool Enabled, bool FullPower, bool Present);

/// <summary>Something that reports an adapter's device events to subscribers.</summary>
public interface IDeviceEventSource
{
    /// <summary>Calls <paramref name="handler"/> for every event from now on, on the thread that raised it, until disposed.</summary>
    IDisposable Subscribe(Action<DeviceEvent> handler);

    /// <summary>The state now; read it after subscribing so no event falls in between.</summary>
    DeviceState Current { get; }
}
