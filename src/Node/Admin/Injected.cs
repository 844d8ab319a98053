namespace PdCluster.Node.Admin;

/// <summary>An event was injected.</summary>
internal sealed record Injected(string Adapter, string Event);
