using PdCluster.Queues.Classification;

namespace PdCluster.DataPath;

/// <summary>
/// One queue's software filters: a <see cref="CompiledFilterSet"/> and that queue's per-filter hit counters. The
/// set is shared; the counters have one writer, the queue's thread, so every queue gets a table of its own.
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

    internal FilterAction Hit(int rule, out int target)
    {
        _hits[rule]++;
        return Set.Action(rule, out target);
    }
}
