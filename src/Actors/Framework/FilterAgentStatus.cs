namespace PdCluster.Actors.Framework;

/// <summary>
/// Where a node's <see cref="FilterAgent"/> stands, published on the event stream after every revision it applies and
/// every change of the store's health; <see cref="Membership"/> writes its <see cref="Bounded"/> form into
/// <c>status/&lt;node&gt;</c>.
/// </summary>
/// <param name="AppliedRevision">The store revision through which every filter change is in force (the range's revision after a full read, else the last change's).</param>
/// <param name="ChangeRevision">The revision of the newest filter change in force (a key's last write or a delete), to tell who lags.</param>
/// <param name="Rejected">Cluster filters refused on this node, with why (<c>*</c> first, then newest revision first); the rest are in force.</param>
/// <param name="StoreError">Why the agent cannot read the store right now (it retries, and the last set stays in force); null when it can.</param>
/// <param name="RejectedCount">How many refusals there are in all; <paramref name="Rejected"/> may list only the newest of them.</param>
/// <param name="Unmatched">
/// The ids of cluster filters whose node scope takes this node in but whose adapter labels none of its adapters has:
/// applied here, in force on no adapter (newest first); null or empty: none.
/// </param>
/// <param name="UnmatchedCount">How many such filters there are in all; <paramref name="Unmatched"/> may list only the newest of them.</param>
public sealed record FilterAgentStatus(long AppliedRevision, long ChangeRevision, IReadOnlyList<RejectedFilter> Rejected, string? StoreError, int RejectedCount,
    IReadOnlyList<string>? Unmatched = null, int UnmatchedCount = 0)
{
    /// <summary>How many refusals (and how many unmatched filters) <c>status/&lt;node&gt;</c> lists at most.</summary>
    public const int ListedRejections = 100;

    /// <summary>How long a listed refusal's error may be, in characters.</summary>
    public const int ErrorLength = 300;

    /// <summary>
    /// Whether <paramref name="revision"/>'s refusals on this node are all listed: the list is complete, or it reaches
    /// below <paramref name="revision"/> (it holds every refusal newer than its oldest entry).
    /// </summary>
    public bool ListsRefusalsFrom(long revision) =>
        RejectedCount <= Rejected.Count || Rejected.Where(r => r.Id != "*").Select(r => r.Revision).DefaultIfEmpty(long.MaxValue).Min() < revision;

    /// <summary>This status with at most <paramref name="listed"/> refusals and unmatched filters listed (the newest), each error cut to <see cref="ErrorLength"/>.</summary>
    public FilterAgentStatus Bounded(int listed) => this with
    {
        Unmatched = Unmatched is null ? null : [.. Unmatched.Take(listed)],
        Rejected = [.. Rejected.Take(listed).Select(r => r.Error.Length <= ErrorLength ? r : r with { Error = string.Concat(r.Error.AsSpan(0, ErrorLength - 1), "…") })],
        StoreError = StoreError is { Length: > ErrorLength } e ? string.Concat(e.AsSpan(0, ErrorLength - 1), "…") : StoreError,
    };
}
