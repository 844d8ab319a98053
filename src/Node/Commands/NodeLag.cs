using PdCluster.Actors.Framework;

namespace PdCluster.Node.Commands;

/// <summary>One node's place in <see cref="ClusterStatusReport"/>; <paramref name="Lag"/> is in store revisions, null before it reported.</summary>
/// <param name="Owns">The items the node owns.</param>
/// <param name="Unmatched">Filters applied on the node but in force on none of its adapters (no adapter has one of their labels), each with those labels; the newest 100 at most.</param>
/// <param name="UnmatchedCount">How many such filters there are in all.</param>
internal sealed record NodeLag(string Node, bool Live, long? AppliedRevision, long? Lag, IReadOnlyList<RejectedFilter> Rejected, int RejectedCount, string? StoreError, IReadOnlyList<string> Owns,
    IReadOnlyList<UnmatchedFilter> Unmatched, int UnmatchedCount);
