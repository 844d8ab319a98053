namespace PdCluster.Actors.Framework;

/// <summary>A team's members, the failovers and failbacks it made, and the announcements it sent.</summary>
/// <param name="Failovers">Times a member's work moved to a survivor.</param>
/// <param name="Failbacks">Times a member that came back took its work back from a survivor.</param>
/// <param name="Announced">Gratuitous ARPs that went out of a PD transmit queue.</param>
public sealed record TeamStatus(string Team, IReadOnlyList<TeamMemberStatus> Members, long Failovers, long Failbacks, long Announced);
