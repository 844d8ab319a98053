namespace PdCluster.Actors.Framework;

/// <summary>Where an adapter's PD data path stands.</summary>
public enum AdapterState
{
    /// <summary>The supervisor is opening the data path: allocating queues and setting receive filters; not polling yet.</summary>
    Starting,
    /// <summary>PD is off for this adapter in the node's config.</summary>
    NotEnabled,
    /// <summary>The adapter fails PD's requirements; <see cref="AdapterStatus.Error"/> says why.</summary>
    Refused,
    /// <summary>Queues are polling.</summary>
    Running,
    /// <summary>Queues are being stopped and drained.</summary>
    Stopping,
    /// <summary>Disabled or in low power: provider closed, every buffer home, waiting for enable / D0.</summary>
    Quiesced,
    /// <summary>The device is gone: provider closed, every buffer home, waiting for arrival.</summary>
    Removed,
    /// <summary>The adapter's supervisor failed again and again and the node gave up on it: no data path until the node restarts; <see cref="AdapterStatus.Error"/> says why.</summary>
    Failed,
    /// <summary>Handed over to a VM switch as its external port (<see cref="LendAdapter"/>): the adapter's own queues are stopped and the switch drives it until it gives it back.</summary>
    Lent,
}
