namespace PdCluster.Vfp;

/// <summary>The unified flow table's size and use (all 0 on a port without one).</summary>
public readonly record struct VfpFlowTableCounters(int Capacity, long Hits, long Misses, long Evictions);
