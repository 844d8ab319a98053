using PdCluster.Actors.Framework;

namespace PdCluster.Node.Commands;

/// <summary>One node's place in <see cref="ClusterStatusReport"/>; <paramref name="Lag"/> is in store revisions, null before it reported.</summary>
/// <param name="Owns">The items the node owns.</param>
internal sealed record NodeLag(string Node, bool Live, long? AppliedRevision, long? Lag, IReadOnlyList<RejectedFilter> Rejected, int RejectedCount, string? StoreError, IReadOnlyList<string> Owns);
