namespace PdCluster.Actors.Framework;

/// <summary>A cluster filter a node refused, and why.</summary>
/// <param name="Id">The filter's id (its key's last segment), or <c>*</c> for an adapter that kept its last good set.</param>
/// <param name="Adapter">The adapter that refused it, or null when the whole node did (a malformed document, say).</param>
/// <param name="Revision">The mod revision of the refused document (0 for <c>*</c>).</param>
public sealed record RejectedFilter(string Id, string? Adapter, string Error, long Revision = 0);
