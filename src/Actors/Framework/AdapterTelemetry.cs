using PdCluster.Nic.Adapters;
using PdCluster.Queues.Buffers;

namespace PdCluster.Actors.Framework;

/// <summary>
/// An adapter's live state, queue counters and device-event counts, readable from any thread. It belongs to the
/// adapter's settings, so it outlives every incarnation of the supervisor: counts never fall back to zero. The
/// supervisor publishes every change here as it makes it, so a status read from it never waits for a busy supervisor.
/// </summary>
public sealed class AdapterTelemetry
{
    private readonly long[] _events = new long[Enum.GetValues<DeviceEvent>().Length];
    private volatile Published _published = new(AdapterState.Starting, [], null, default, 0);
    private volatile bool _reported;
    private volatile string? _failure;

    /// <summary>The current queue pairs (empty when the data path is closed).</summary>
    public IReadOnlyList<QueueTelemetry> Queues => _published.Queues;

    /// <summary>The adapter's state.</summary>
    public AdapterState State => _published.State;

    /// <summary>Whether the supervisor has started and published a state.</summary>
    public bool HasReported => _reported;

    /// <summary>The error last published: why the adapter is refused, removed, or why its last start failed.</summary>
    public string? Error => _published.Error;

    /// <summary>Why the node gave up on the adapter, once it has (<see cref="AdapterState.Failed"/>).</summary>
    public string? Failure => _failure;

    /// <summary>Receive filters the supervisor is setting or clearing in the adapter right now (0 when no change is under way).</summary>
    public int FiltersInstalling => _published.FiltersInstalling;

    /// <summary>Device events the adapter reported, by name, since the node started.</summary>
    public IReadOnlyDictionary<string, long> Events =>
        Enum.GetValues<DeviceEvent>().ToDictionary(e => e.ToString(), e => Interlocked.Read(ref _events[(int)e]));

    /// <summary>The adapter's status as last published, with <paramref name="pool"/>'s accounting now, and the provider running it and its filter-field split when given.</summary>
    public AdapterStatus Status(string adapter, BufferPool pool, string? provider = null, AdapterInfo? info = null)
    {
        var now = _published;
        return new AdapterStatus(
            adapter, now.State, now.Error, now.Device.LinkUp, now.Device.Enabled, now.Device.FullPower, now.Device.Present,
            pool.FreeCount, pool.Capacity, Events, [.. now.Queues.Select(q => q.Snapshot())], now.FiltersInstalling,
            provider, AdapterInfo.FieldNames(info?.KernelFilterFields), AdapterInfo.FieldNames(info?.SoftwareFilterFields));
    }

    internal void Count(DeviceEvent deviceEvent) => Interlocked.Increment(ref _events[(int)deviceEvent]);

    internal void Publish(AdapterState state, IEnumerable<QueueTelemetry> queues, string? error, DeviceState device)
    {
        _published = new Published(state, [.. queues], error, device, _published.FiltersInstalling);
        _reported = true;
    }

    internal void Installing(int filters) => _published = _published with { FiltersInstalling = filters };

    internal void Lend(string borrower) => LentAs($"the external port of VM switch {borrower}");

    /// <summary>Keeps the adapter <see cref="AdapterState.Lent"/>, with what its borrower does with it now.</summary>
    internal void LentAs(string detail) => Publish(AdapterState.Lent, [], detail, _published.Device);

    internal void GiveUp(string reason)
    {
        _failure = reason;
        Publish(AdapterState.Failed, [], reason, default);
    }

    /// <summary>One consistent view, replaced whole by the one writer at a time (the supervisor, or the node once it gave up).</summary>
    private sealed record Published(AdapterState State, QueueTelemetry[] Queues, string? Error, DeviceState Device, int FiltersInstalling);
}
