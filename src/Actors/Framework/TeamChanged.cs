namespace PdCluster.Actors.Framework;

/// <summary>
/// Published when a team's cover changes: <paramref name="CoveredBy"/> maps each member that is down to the member
/// that carries its filters and addresses (absent: no member is up to take them). The <see cref="FilterAgent"/>
/// gives each survivor the covered members' filters.
/// </summary>
public sealed record TeamChanged(string Team, IReadOnlyDictionary<string, string> CoveredBy);
