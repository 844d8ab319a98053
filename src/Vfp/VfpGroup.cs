namespace PdCluster.Vfp;

/// <summary>One group of rules of a layer for one direction; within a layer the groups are tried in ascending <see cref="Priority"/>.</summary>
public sealed record VfpGroup(string Layer, string Name, VfpDirection Direction, int Priority);
