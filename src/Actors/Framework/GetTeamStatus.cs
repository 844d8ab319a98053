namespace PdCluster.Actors.Framework;

/// <summary>Asks a <see cref="TeamFailover"/> for its <see cref="TeamStatus"/>.</summary>
public sealed record GetTeamStatus
{
    /// <summary>The one instance.</summary>
    public static readonly GetTeamStatus Instance = new();
}
