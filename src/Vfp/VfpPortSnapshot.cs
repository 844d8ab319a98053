namespace PdCluster.Vfp;

/// <summary>A port's state and counters at one moment, for listings and <c>/metrics</c>.</summary>
public sealed record VfpPortSnapshot(
    string Port, bool Disabled, int RuleCount, VfpCounters Counters,
    IReadOnlyList<VfpLayerCounters> Layers, IReadOnlyList<VfpRuleCounters> Rules, VfpFlowTableCounters FlowTable);
