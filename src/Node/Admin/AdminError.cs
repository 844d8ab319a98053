namespace PdCluster.Node.Admin;

/// <summary>An admin call was refused.</summary>
internal sealed record AdminError(string Error);
