namespace PdCluster.Actors.Framework;

/// <summary>A team's state as its <see cref="TeamFailover"/> last published it, readable from any thread without asking the actor.</summary>
public sealed class TeamTelemetry(string team, IReadOnlyList<TeamMemberStatus> members)
{
    private volatile TeamStatus _status = new(team, members, 0, 0, 0);

    /// <summary>The latest state.</summary>
    public TeamStatus Status => _status;

    internal void Publish(TeamStatus status) => _status = status;
}
