namespace PdCluster.Actors.Framework;

/// <summary>Ends the membership: the lease is revoked so peers see the node leave at once.</summary>
public sealed record LeaveCluster
{
    /// <summary>The one instance.</summary>
    public static readonly LeaveCluster Instance = new();
}
