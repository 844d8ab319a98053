using PdCluster.Actors.Framework;

namespace PdCluster.Node.ClusterAccess;

/// <summary>The cluster as the store shows it: the registered members, what each node reports, and the filters.</summary>
/// <param name="Revision">The store revision when the filters were read.</param>
internal sealed record ClusterView(long Revision, IReadOnlyList<MemberRecord> Members, IReadOnlyList<MemberStatus> Statuses, IReadOnlyList<StoredFilter> Filters)
{
    /// <summary>The newest filter change anyone knows of: a filter's last write, or a change (a delete too) a node reports having applied.</summary>
    public long NewestChange => Math.Max(
        Filters.Select(f => f.Revision).DefaultIfEmpty(0).Max(),
        Statuses.Select(s => s.Filters?.ChangeRevision ?? 0).DefaultIfEmpty(0).Max());
}
