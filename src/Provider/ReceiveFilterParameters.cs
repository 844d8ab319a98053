using PdCluster.Nic.Counters;
using PdCluster.Queues.Classification;

namespace PdCluster.Provider;

/// <summary>PD's receive filter parameters. All <paramref name="Matches"/> must hold; lower <paramref name="Priority"/> applies first.</summary>
public sealed record ReceiveFilterParameters(
    IReadOnlyList<FieldMatch> Matches,
    IPdQueue TargetReceiveQueue,
    int Priority = 0,
    ulong RxFilterContext = 0,
    FilterCounters? Counters = null);
