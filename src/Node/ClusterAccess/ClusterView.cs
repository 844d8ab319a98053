using PdCluster.Actors.Framework;

namespace PdCluster.Node.ClusterAccess;

/// <summary>The cluster as the store shows it: the registered members, what each node reports, the filters, who owns which item and who coordinates.</summary>
/// <param name="Revision">The store revision when the filters were read.</param>
/// <param name="Owners">The <c>owners/</c> records (null from a node that predates them).</param>
/// <param name="Coordinator">The node whose lease-held election key has the lowest create revision, or null when none campaigns.</param>
/// <param name="Warnings">Each record left out of the view and why, naming its key: one that does not read, a member or election key held by no lease.</param>
internal sealed record ClusterView(long Revision, IReadOnlyList<MemberRecord> Members, IReadOnlyList<MemberStatus> Statuses, IReadOnlyList<StoredFilter> Filters,
    IReadOnlyList<OwnerRecord>? Owners = null, string? Coordinator = null, IReadOnlyList<string>? Warnings = null)
{
    /// <summary>The items <paramref name="node"/> owns, in id order.</summary>
    public IReadOnlyList<string> ItemsOf(string node) => [.. (Owners ?? []).Where(o => o.Node == node).Select(o => o.Item).Order(StringComparer.Ordinal)];

    /// <summary>The newest filter change anyone knows of: a filter's last write, or a change (a delete too) a node reports having applied.</summary>
    public long NewestChange => Math.Max(
        Filters.Select(f => f.Revision).DefaultIfEmpty(0).Max(),
        Statuses.Select(s => s.Filters?.ChangeRevision ?? 0).DefaultIfEmpty(0).Max());
}
