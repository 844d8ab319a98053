namespace PdCluster.Actors.Framework;

/// <summary>Whether a team member serves, and which member carries its filters and addresses while it does not.</summary>
public sealed record TeamMemberStatus(string Adapter, bool Up, string? CoveredBy);
