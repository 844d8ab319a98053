using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>
/// How one adapter's publish ended: <paramref name="Accepted"/> is the set in force now (null when the adapter kept
/// its last good set), <paramref name="Tried"/> the last set offered, <paramref name="Refused"/> the cluster filters it
/// refused, <paramref name="InForce"/> the cluster filters of the accepted set by id with their mod revision.
/// </summary>
internal sealed record AdapterOutcome(string Adapter, CompiledFilterSet? Accepted, CompiledFilterSet Tried, IReadOnlyDictionary<string, AdapterRefusal> Refused,
    IReadOnlyDictionary<string, long> InForce, IReadOnlyList<RejectedFilter> Rejected);
