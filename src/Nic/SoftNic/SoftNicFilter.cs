using PdCluster.Nic.Counters;
using PdCluster.Queues.Classification;

namespace PdCluster.Nic.SoftNic;

/// <summary>A receive filter to set on a <see cref="SoftNic"/>: its rule, the receive queue its matches go to, the context reported with them, its counters.</summary>
public sealed record SoftNicFilter(ClassifierRule Rule, SoftNicQueue Target, ulong Context, FilterCounters Counters);
