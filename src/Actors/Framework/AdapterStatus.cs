namespace PdCluster.Actors.Framework;

/// <summary>An adapter's state, counters and buffer accounting.</summary>
/// <param name="FiltersInstalling">Receive filters being set or cleared in the adapter at the time (0 when no change is under way).</param>
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
    IReadOnlyList<QueueStats> Queues,
    int FiltersInstalling);
