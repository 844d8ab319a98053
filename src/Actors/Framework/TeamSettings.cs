namespace PdCluster.Actors.Framework;

/// <summary>What a <see cref="TeamFailover"/> needs: the team's name and members, in the order survivors are chosen.</summary>
/// <param name="Adapters">The node supervisor: <see cref="ToAdapter"/> reaches each member's adapter supervisor through it.</param>
public sealed record TeamSettings(string Team, IReadOnlyList<TeamMember> Members, Kernel.IActorRef Adapters)
{
    /// <summary>Where the team's state is published for readers on other threads (the status).</summary>
    public TeamTelemetry Telemetry { get; } = new(Team, [.. Members.Select(m => new TeamMemberStatus(m.Adapter, true, null))]);

    /// <summary>How often each announcement is sent, a second apart, in case one is lost.</summary>
    public int Announcements { get; init; } = 3;
}
