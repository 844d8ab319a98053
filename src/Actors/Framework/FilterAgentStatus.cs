namespace PdCluster.Actors.Framework;

/// <summary>
/// Where a node's <see cref="FilterAgent"/> stands, published on the event stream after every revision it applies and
/// every change of the store's health; <see cref="Membership"/> writes it into <c>status/&lt;node&gt;</c>.
/// </summary>
/// <param name="AppliedRevision">The store revision through which every filter change is in force (the range's revision after a full read, else the last change's).</param>
/// <param name="ChangeRevision">The revision of the newest filter change in force (a key's last write or a delete), to tell who lags.</param>
/// <param name="Rejected">Every cluster filter refused on this node, with why; the rest are in force.</param>
/// <param name="StoreError">Why the agent cannot read the store right now (it retries, and the last set stays in force); null when it can.</param>
public sealed record FilterAgentStatus(long AppliedRevision, long ChangeRevision, IReadOnlyList<RejectedFilter> Rejected, string? StoreError);
