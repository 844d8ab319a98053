using PdCluster.Queues.Classification;

namespace PdCluster.DataPath;

/// <summary>
/// One queue's software filters: a <see cref="CompiledFilterSet"/> and that queue's per-filter hit counters. The
/// set is shared; the counters have one writer, the queue's thread, so every queue gets a table of its own. A table
/// that replaces another (<see cref="Next"/>) keeps the counts of the filters both define alike.
/// </summary>
public sealed class FilterTable(CompiledFilterSet set)
{
    private readonly long[] _hits = new long[set.Count];

    /// <summary>A table with no filters.</summary>
    public static FilterTable Empty { get; } = new(CompiledFilterSet.Empty);

    /// <summary>The compiled filters this table counts hits for.</summary>
    public CompiledFilterSet Set { get; } = set;

    /// <summary>The filters, in the order given; <see cref="Hits"/> takes an index into this list.</summary>
    public IReadOnlyList<FilterSpec> Specs => Set.Specs;

    /// <summary>Packets filter <paramref name="index"/> matched (read from any thread).</summary>
    public long Hits(int index) => Volatile.Read(ref _hits[index]);

    /// <summary>
    /// The table for <paramref name="next"/> that follows this one on the same queue: a filter <paramref name="next"/>
    /// defines as this set does (same id and definition) keeps its count; a new or changed one starts at 0. Called on
    /// the queue's thread, the counters' one writer, between bursts.
    /// </summary>
    public FilterTable Next(CompiledFilterSet next)
    {
        var table = new FilterTable(next);
        for (var i = 0; i < next.Count; i++)
        {
            var previous = Set.IndexOfSame(next, i);
            if (previous >= 0)
                table._hits[i] = _hits[previous];
        }
        return table;
    }

    internal FilterAction Hit(int rule, out int target)
    {
        _hits[rule]++;
        return Set.Action(rule, out target);
    }
}
