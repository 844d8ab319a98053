namespace PdCluster.Vfp;

/// <summary>A layer's counters: packets it let on (a group allowed them) and packets it blocked.</summary>
public sealed record VfpLayerCounters(string Layer, VfpCounters Counters);
