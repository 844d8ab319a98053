using PdCluster.DataPath;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.Actors.Framework;

/// <summary>How a queue actor runs.</summary>
/// <param name="Filters">The software filters the queue starts with.</param>
/// <param name="Stages">Stages after the filter and exception stages (by default L2 forwarding).</param>
/// <param name="Steering">The adapter's mesh for the steer action, shared by its queues.</param>
/// <param name="OsPath">The provider's OS path, where packets the pipeline hands back go.</param>
/// <param name="ExceptionPath">Hand frames that are not IP (ARP, LLDP) to the OS path after the filter stage.</param>
/// <param name="Capture">The queue's capture point (default: one of its own, never armed).</param>
/// <param name="QueuesOnPool">How many queue actors share <paramref name="Pool"/>: the queue sizes its buffer cache from its share (<see cref="QueueActor.CacheSize"/>).</param>
public sealed record QueueActorSettings(
    QueueTelemetry Telemetry,
    BufferPool Pool,
    CompiledFilterSet Filters,
    Func<IReadOnlyList<IPacketStage>>? Stages = null,
    int BurstSize = PdForwarder.DefaultBurstSize,
    QueueIdle Idle = QueueIdle.Backoff,
    SteeringMesh? Steering = null,
    IPdOsPath? OsPath = null,
    bool ExceptionPath = true,
    int QueuesOnPool = 1,
    CaptureTap? Capture = null);
