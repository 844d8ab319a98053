namespace PdCluster.Actors.Framework;

/// <summary>A cluster filter a node refused, and why.</summary>
/// <param name="Id">The filter's id (its key's last segment).</param>
/// <param name="Adapter">The adapter that refused it, or null when the whole node did (a malformed document, say).</param>
public sealed record RejectedFilter(string Id, string? Adapter, string Error);
