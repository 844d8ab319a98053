namespace PdCluster.Actors.Framework;

/// <summary>An adapter's state, counters and buffer accounting.</summary>
/// <param name="FiltersInstalling">Receive filters being set or cleared in the adapter at the time (0 when no change is under way).</param>
/// <param name="Provider">The provider that runs the adapter (the one chosen for <c>auto</c>), when known.</param>
/// <param name="KernelFilterFields">Receive-filter fields the kernel matches, when the provider splits them with software (AF_PACKET).</param>
/// <param name="SoftwareFilterFields">Receive-filter fields matched in software after the copy, when the provider splits them.</param>
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
    int FiltersInstalling,
    string? Provider = null,
    IReadOnlyList<string>? KernelFilterFields = null,
    IReadOnlyList<string>? SoftwareFilterFields = null);
