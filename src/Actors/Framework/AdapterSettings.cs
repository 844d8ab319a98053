using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.Actors.Framework;

/// <summary>What an adapter supervisor needs: how to open the provider, where device events come from, and the data path's shape.</summary>
/// <param name="OpenProvider">Opens a PD provider on the adapter (checks PD's requirements; may throw <see cref="PdNotSupportedException"/>).</param>
/// <param name="Pool">The adapter's buffers; it outlives providers and queue actors, so accounting spans every event.</param>
/// <param name="Filters">The filters the adapter starts with, until a <see cref="PublishFilters"/> replaces them.</param>
/// <param name="Stages">Makes each queue's stages after the filter and exception stages (default: L2 forwarding); called once per queue incarnation.</param>
/// <param name="ExceptionPath">Each queue hands frames that are not IP (ARP, LLDP) to the OS path.</param>
/// <param name="Provider">The provider that runs the adapter, by name, for the status (the one chosen when the configuration said <c>auto</c>).</param>
/// <param name="Info">What the adapter is, for the status (which filter fields its provider matches in the kernel and which in software).</param>
/// <param name="ReceiveQueueSize">Ring slots of each receive queue when they differ from <paramref name="QueueSize"/> (the transmit queues').</param>
/// <param name="PacedPoll">With <paramref name="DrainNotification"/>: while traffic flows, queue threads sleep a short pace between polls instead of spinning (<see cref="QueueIdle.Paced"/>).</param>
public sealed record AdapterSettings(
    string Name,
    Func<IPdProvider> OpenProvider,
    IDeviceEventSource Events,
    BufferPool Pool,
    CompiledFilterSet Filters,
    int Queues = 2,
    int QueueSize = 1024,
    bool DrainNotification = false,
    bool PdEnabled = true,
    Func<IReadOnlyList<IPacketStage>>? Stages = null,
    int BurstSize = PdForwarder.DefaultBurstSize,
    bool ExceptionPath = true,
    string? Provider = null,
    AdapterInfo? Info = null,
    int? ReceiveQueueSize = null,
    bool PacedPoll = false)
{
    /// <summary>Ring slots of each receive queue: <see cref="ReceiveQueueSize"/>, or <see cref="QueueSize"/> when not given.</summary>
    public int ReceiveQueueSizeInForce => ReceiveQueueSize ?? QueueSize;

    /// <summary>Where the supervisor publishes its live state for readers on other threads (metrics).</summary>
    public AdapterTelemetry Telemetry { get; } = new();

    /// <summary>Each queue's capture point, by queue number; open while its queue runs.</summary>
    public IReadOnlyList<CaptureTap> Captures { get; } = [.. Enumerable.Range(0, Queues).Select(_ => new CaptureTap())];
}
