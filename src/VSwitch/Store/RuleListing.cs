namespace PdCluster.VSwitch.Store;

/// <summary>One row of <c>pd vfp rule ls</c>: a stored rule of a port, or the problem that keeps its document from reading.</summary>
public sealed record RuleListing(string PortName, string Switch, string? VmName, string Id, string? Layer, string? Group, string? Direction, int Priority,
    string? Action, string? Match, string? Problem);
