namespace PdCluster.Actors.Framework;

/// <summary>An adapter's live state and queue counters, readable from any thread.</summary>
public sealed class AdapterTelemetry
{
    private volatile QueueTelemetry[] _queues = [];
    private volatile int _state;
    private volatile bool _reported;

    /// <summary>The current queue pairs (empty when the data path is closed).</summary>
    public IReadOnlyList<QueueTelemetry> Queues => _queues;

    /// <summary>The adapter's state.</summary>
    public AdapterState State => (AdapterState)_state;

    /// <summary>Whether the supervisor has started and published a state.</summary>
    public bool HasReported => _reported;

    internal void Publish(AdapterState state, IEnumerable<QueueTelemetry> queues)
    {
        _queues = [.. queues];
        _state = (int)state;
        _reported = true;
    }
}
