using PdCluster.DataPath;
using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Turns the cluster's desired filters into one <see cref="CompiledFilterSet"/> per local adapter: the node's own filter
/// file first, then the cluster filters in scope of that adapter in id order (so at equal priority the node's own
/// filter wins). A filter that cannot run (malformed, an id the node's file already uses, a queue the adapter lacks)
/// is left out and reported; the others still apply. A team member that is down (<paramref name="coveredBy"/>) has
/// its filters carried by its survivor: after the survivor's own, those whose id the survivor lacks, their queues
/// mapped onto the survivor's (queue q to q mod the survivor's queues).
/// </summary>
internal static class ScopedFilterSets
{
    public static (IReadOnlyDictionary<string, CompiledFilterSet> Sets, IReadOnlyList<RejectedFilter> Rejected) Compile(
        IEnumerable<DesiredFilter> desired, FilterAgentSettings settings, long revision, IReadOnlyDictionary<string, string>? coveredBy = null)
    {
        var localIds = settings.LocalFilters.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var rejected = new List<RejectedFilter>();
        var candidates = new List<ClusterFilter>();
        foreach (var d in desired)
        {
            if (d.Filter is not { } filter)
                rejected.Add(new RejectedFilter(d.Id, null, d.Error!));
            else if (!filter.MayApplyTo(settings.Node))
                continue;
            else if (localIds.Contains(d.Id))
                rejected.Add(new RejectedFilter(d.Id, null, $"filter '{d.Id}': the node's own filter file has a filter with this id, and it stays in force; give the cluster filter another id."));
            else
                candidates.Add(filter);
        }
        var own = new Dictionary<string, List<FilterSpec>>(StringComparer.Ordinal);
        foreach (var target in settings.Targets)
        {
            var specs = settings.LocalFilters.ToList();
            var labels = target.Labels.ToHashSet(StringComparer.Ordinal);
            foreach (var filter in candidates.Where(f => f.AppliesTo(settings.Node, labels)))
            {
                if (filter.Filter.Queue >= target.Queues)
                    rejected.Add(new RejectedFilter(filter.Id, target.Adapter, $"filter '{filter.Id}': queue {filter.Filter.Queue} does not exist on {target.Adapter} (queues 0..{target.Queues - 1})."));
                else
                    specs.Add(filter.Filter);
            }
            own[target.Adapter] = specs;
        }
        var sets = new Dictionary<string, CompiledFilterSet>(StringComparer.Ordinal);
        foreach (var target in settings.Targets)
        {
            var specs = own[target.Adapter];
            var covered = coveredBy?.Where(c => c.Value == target.Adapter && own.ContainsKey(c.Key)).Select(c => own[c.Key]) ?? [];
            sets[target.Adapter] = CompiledFilterSet.Compile(covered.Aggregate((IReadOnlyList<FilterSpec>)specs, (set, member) => Adopt(set, member, target.Queues)), revision);
        }
        return (sets, rejected);
    }

    /// <summary><paramref name="own"/>, then the filters of <paramref name="member"/> whose id it lacks, their queues mapped onto <paramref name="queues"/> queues.</summary>
    private static IReadOnlyList<FilterSpec> Adopt(IReadOnlyList<FilterSpec> own, IReadOnlyList<FilterSpec> member, int queues)
    {
        var ids = own.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        return [.. own, .. member.Where(f => !ids.Contains(f.Id)).Select(f => f.Queue is not { } queue ? f : new FilterSpec
        {
            Id = f.Id, Priority = f.Priority, Action = f.Action, Queue = queue % queues, Context = f.Context, Match = f.Match,
        })];
    }
}
