namespace PdCluster.Actors.Framework;

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
