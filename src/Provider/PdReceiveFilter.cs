using PdCluster.Nic.Counters;

namespace PdCluster.Provider;

/// <summary>A receive filter that is set: the handle to clear it and its counters.</summary>
public sealed record PdReceiveFilter(int Id, ReceiveFilterParameters Parameters, FilterCounters Counters);
