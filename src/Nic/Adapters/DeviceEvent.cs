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
