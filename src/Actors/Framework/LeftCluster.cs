namespace PdCluster.Actors.Framework;

/// <summary>The node left; its keys are gone.</summary>
public sealed record LeftCluster(string Node);
