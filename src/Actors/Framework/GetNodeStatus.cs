namespace PdCluster.Actors.Framework;

/// <summary>Asks the node supervisor for a <see cref="NodeStatus"/>.</summary>
public sealed record GetNodeStatus
{
    /// <summary>The one instance.</summary>
    public static readonly GetNodeStatus Instance = new();
}
