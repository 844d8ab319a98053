using PdCluster.DataPath;
using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Turns the cluster's desired filters into one <see cref="CompiledFilterSet"/> per local adapter: the node's own filter
/// file first, then the cluster filters in scope of that adapter in id order (so at equal priority the node's own
/// filter wins). A filter that cannot run (malformed, an id the node's file already uses, a queue the adapter lacks,
/// one the adapter refused) is left out and reported; the others still apply. A team member that is down has its
/// cluster filters carried by its survivor (<see cref="Adopt"/>).
/// </summary>
internal static class ScopedFilterSets
{
    /// <summary>The desired filters that may run on this node, in id order, and those refused on the whole node.</summary>
    public static (IReadOnlyList<DesiredFilter> Candidates, IReadOnlyList<RejectedFilter> Rejected) Candidates(IEnumerable<DesiredFilter> desired, FilterAgentSettings settings)
    {
        var localIds = settings.LocalFilters.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var rejected = new List<RejectedFilter>();
        var candidates = new List<DesiredFilter>();
        foreach (var d in desired)
        {
            if (d.Filter is not { } filter)
                rejected.Add(new RejectedFilter(d.Id, null, d.Error!));
            else if (!filter.MayApplyTo(settings.Node))
                continue;
            else if (localIds.Contains(d.Id))
                rejected.Add(new RejectedFilter(d.Id, null, $"filter '{d.Id}': the node's own filter file has a filter with this id, and it stays in force; give the cluster filter another id."));
            else
                candidates.Add(d);
        }
        return (candidates, rejected);
    }

    /// <summary>The ids of the candidates (newest first) whose adapter labels none of <paramref name="targets"/> has: applied on the node, in force nowhere.</summary>
    public static IReadOnlyList<string> Unmatched(IReadOnlyList<DesiredFilter> candidates, IReadOnlyList<FilterTarget> targets, string node) =>
        [.. candidates.Where(d => d.Filter!.Scope?.AdapterLabels is { Count: > 0 } && targets.All(t => InScope(t, [d], node).Count == 0))
            .OrderByDescending(d => d.ModRevision).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Id)];

    /// <summary>The candidates whose scope covers <paramref name="target"/>.</summary>
    public static IReadOnlyList<DesiredFilter> InScope(FilterTarget target, IReadOnlyList<DesiredFilter> candidates, string node)
    {
        var labels = target.Labels.ToHashSet(StringComparer.Ordinal);
        return [.. candidates.Where(d => d.Filter!.AppliesTo(node, labels))];
    }

    /// <summary>
    /// <paramref name="target"/>'s set: <paramref name="local"/>, then the filters in scope but those it
    /// <paramref name="refused"/> and those whose queue it lacks (both reported). <paramref name="previous"/> is
    /// reused when it holds the same filters at the same revision (a set published again stays the same object).
    /// </summary>
    public static (CompiledFilterSet Set, IReadOnlyList<RejectedFilter> Rejected) ForAdapter(FilterTarget target, IReadOnlyList<DesiredFilter> inScope,
        IReadOnlyList<FilterSpec> local, IReadOnlyDictionary<string, AdapterRefusal> refused, long revision, CompiledFilterSet? previous)
    {
        var rejected = new List<RejectedFilter>();
        var specs = local.ToList();
        foreach (var d in inScope)
        {
            var filter = d.Filter!.Filter;
            if (refused.TryGetValue(d.Id, out var refusal))
                rejected.Add(new RejectedFilter(d.Id, target.Adapter, refusal.Error));
            else if (filter.Queue >= target.Queues)
                rejected.Add(new RejectedFilter(d.Id, target.Adapter, $"filter '{d.Id}': queue {filter.Queue} does not exist on {target.Adapter} (queues 0..{target.Queues - 1})."));
            else
                specs.Add(filter);
        }
        var same = previous is not null && previous.Revision == revision && previous.Specs.SequenceEqual(specs, ReferenceEqualityComparer.Instance);
        return (same ? previous! : CompiledFilterSet.Compile(specs, revision, previous), rejected);
    }

    /// <summary>
    /// <paramref name="own"/>, then the filters of a down team member (<paramref name="member"/>) whose id it lacks,
    /// their queues mapped onto the survivor's <paramref name="queues"/> (queue q to q mod queues). The node's own
    /// filter file is every adapter's already, so only cluster filters move.
    /// </summary>
    public static IReadOnlyList<DesiredFilter> Adopt(IReadOnlyList<DesiredFilter> own, IReadOnlyList<DesiredFilter> member, int queues)
    {
        var ids = own.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        return [.. own, .. member.Where(d => !ids.Contains(d.Id)).Select(d => d.Filter!.Filter.Queue is not { } queue ? d : d with
        {
            Filter = new ClusterFilter
            {
                SchemaVersion = d.Filter.SchemaVersion,
                Scope = d.Filter.Scope,
                Filter = new FilterSpec
                {
                    Id = d.Id, Priority = d.Filter.Filter.Priority, Action = d.Filter.Filter.Action, Queue = queue % queues,
                    Context = d.Filter.Filter.Context, Match = d.Filter.Filter.Match,
                },
            },
        })];
    }
}
