using PdCluster.Nic.Adapters;

namespace PdCluster.Actors.Framework;

/// <summary>Asks a queue actor for its <see cref="QueueStats"/>.</summary>
public sealed record GetQueueStats
{
    /// <summary>The one instance.</summary>
    public static readonly GetQueueStats Instance = new();
}

/// <summary>A queue pair's counters.</summary>
public sealed record QueueStats(int Queue, long Received, long Forwarded, long Dropped, long RingDrops, long SteeredIn, long ToOs, IReadOnlyDictionary<string, long> FilterHits);

/// <summary>An adapter's device event, delivered to its supervisor's mailbox.</summary>
public sealed record DeviceEventOccurred(DeviceEvent Event);

/// <summary>Asks an adapter supervisor for its <see cref="AdapterStatus"/>.</summary>
public sealed record GetAdapterStatus
{
    /// <summary>The one instance.</summary>
    public static readonly GetAdapterStatus Instance = new();
}

/// <summary>Where an adapter's PD data path stands.</summary>
public enum AdapterState
{
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
}

/// <summary>An adapter's state, counters and buffer accounting.</summary>
public sealed record AdapterStatus(
    string Adapter,
    AdapterState State,
    string? Error,
    bool LinkUp,
    bool Enabled,
    bool FullPower,
    bool Present,
    int FreeBuffers,
    int Buffers,
    IReadOnlyDictionary<string, long> Events,
    IReadOnlyList<QueueStats> Queues);

/// <summary>Published on the event stream whenever an adapter's state changes.</summary>
public sealed record AdapterStateChanged(string Adapter, AdapterState State, int FreeBuffers, int Buffers);

/// <summary>Published when an adapter disappears, so failover can move its work.</summary>
public sealed record AdapterRemoved(string Adapter);

/// <summary>Asks the node supervisor for a <see cref="NodeStatus"/>.</summary>
public sealed record GetNodeStatus
{
    /// <summary>The one instance.</summary>
    public static readonly GetNodeStatus Instance = new();
}

/// <summary>Every adapter's status.</summary>
public sealed record NodeStatus(string Node, IReadOnlyList<AdapterStatus> Adapters);

/// <summary>Sends <paramref name="Message"/> to the node's adapter supervisor named <paramref name="Adapter"/>.</summary>
public sealed record ToAdapter(string Adapter, object Message);
