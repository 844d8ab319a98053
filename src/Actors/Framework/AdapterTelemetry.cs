using PdCluster.Nic.Adapters;

namespace PdCluster.Actors.Framework;

/// <summary>
/// An adapter's live state, queue counters and device-event counts, readable from any thread. It belongs to the
/// adapter's settings, so it outlives every incarnation of the supervisor: counts never fall back to zero.
/// </summary>
public sealed class AdapterTelemetry
{
    private readonly long[] _events = new long[Enum.GetValues<DeviceEvent>().Length];
    private volatile QueueTelemetry[] _queues = [];
    private volatile int _state;
    private volatile bool _reported;
    private volatile string? _failure;

    /// <summary>The current queue pairs (empty when the data path is closed).</summary>
    public IReadOnlyList<QueueTelemetry> Queues => _queues;

    /// <summary>The adapter's state.</summary>
    public AdapterState State => (AdapterState)_state;

    /// <summary>Whether the supervisor has started and published a state.</summary>
    public bool HasReported => _reported;

    /// <summary>Why the node gave up on the adapter, once it has (<see cref="AdapterState.Failed"/>).</summary>
    public string? Failure => _failure;

    /// <summary>Device events the adapter reported, by name, since the node started.</summary>
    public IReadOnlyDictionary<string, long> Events =>
        Enum.GetValues<DeviceEvent>().ToDictionary(e => e.ToString(), e => Interlocked.Read(ref _events[(int)e]));

    internal void Count(DeviceEvent deviceEvent) => Interlocked.Increment(ref _events[(int)deviceEvent]);

    internal void Publish(AdapterState state, IEnumerable<QueueTelemetry> queues)
    {
        _queues = [.. queues];
        _state = (int)state;
        _reported = true;
    }

    internal void GiveUp(string reason)
    {
        _failure = reason;
        Publish(AdapterState.Failed, []);
    }
}
