
namespace PdCluster.Provider;

/// <summary>Reasons a PD call is refused.</summary>
public enum PdStatus
{
    InvalidParameter,
    NotSupported,
    /// <summary>The object is in use: a queue that still holds buffers or is targeted by a filter.</summary>
    Busy,
    /// <summary>The device is gone.</summary>
    DeviceRemoved,
    /// <summary>No queue of that kind is left.</summary>
    InsufficientResources,
}
