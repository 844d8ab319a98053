namespace PdCluster.Vfp;

/// <summary>A rule's counters: packets it matched, by the port's final verdict on them.</summary>
public sealed record VfpRuleCounters(string Rule, string Layer, string Group, VfpDirection Direction, VfpAction Action, VfpCounters Counters);
