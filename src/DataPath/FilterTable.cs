using PdCluster.Queues.Classification;

namespace PdCluster.DataPath;

/// <summary>
/// A compiled set of software filters and their per-rule hit counters; immutable apart from the counters, which one
/// queue writes (give each queue its own with <see cref="Fork"/>).
/// </summary>
public sealed class FilterTable
{
    private readonly long[] _hits;
    private readonly FilterAction[] _actions;
    private readonly int[] _targets;

    private FilterTable(IReadOnlyList<FilterSpec> specs, Classifier classifier)
    {
        Specs = specs;
        Classifier = classifier;
        _actions = specs.Select(s => s.Action).ToArray();
        _targets = specs.Select(s => s.Queue ?? -1).ToArray();
        _hits = new long[specs.Count];
    }

    /// <summary>A table with no filters.</summary>
    public static FilterTable Empty { get; } = new([], Classifier.Empty);

    /// <summary>The filters, in the order given.</summary>
    public IReadOnlyList<FilterSpec> Specs { get; }

    /// <summary>The compiled lookup.</summary>
    public Classifier Classifier { get; }

    /// <summary>Compiles <paramref name="specs"/>; a bad spec throws <see cref="FilterSpecException"/> and changes nothing.</summary>
    public static FilterTable Compile(IReadOnlyList<FilterSpec> specs) =>
        new(specs, Classifier.Compile(specs.Select(s => s.ToRule()).ToArray()));

    /// <summary>The same compiled filters with counters of its own, for another queue (counters have one writer each).</summary>
    public FilterTable Fork() => new(Specs, Classifier);

    /// <summary>Packets filter <paramref name="index"/> matched (read from any thread).</summary>
    public long Hits(int index) => Volatile.Read(ref _hits[index]);

    internal FilterAction Hit(int rule, out int target)
    {
        _hits[rule]++;
        target = _targets[rule];
        return _actions[rule];
    }
}
