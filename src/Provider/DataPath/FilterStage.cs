using PdCluster.Queues.Classification;

namespace PdCluster.Provider.DataPath;

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

/// <summary>
/// Applies the software filter table's actions to each packet: count, drop, or steer to another queue's pipeline
/// through <paramref name="steering"/> (without a lane, or when the target's ring is full, a steered packet is dropped).
/// A new table is published with one reference swap and taken up at the next burst, so the hot path takes no lock.
/// </summary>
public sealed class FilterStage(FilterTable table, SteeringLane? steering = null) : IPacketStage
{
    private FilterTable _table = table;

    /// <summary>The table in force.</summary>
    public FilterTable Table => Volatile.Read(ref _table);

    /// <summary>Packets no filter matched.</summary>
    public long Misses { get; private set; }

    /// <summary>Replaces the table; the queue uses it from its next burst.</summary>
    public void Publish(FilterTable table) => Volatile.Write(ref _table, table);

    /// <inheritdoc/>
    public void Process(PacketBurst burst)
    {
        var table = Volatile.Read(ref _table);
        if (table.Specs.Count == 0)
            return;
        burst.EnsureParsed();
        var verdicts = burst.Verdicts;
        var info = burst.Info;
        var classifier = table.Classifier;
        for (var i = 0; i < verdicts.Length; i++)
        {
            if (verdicts[i] != Verdict.Forward)
                continue;
            var rule = classifier.Classify(in info[i].Key);
            if (rule < 0)
            {
                Misses++;
                continue;
            }
            switch (table.Hit(rule, out var target))
            {
                case FilterAction.Drop:
                    verdicts[i] = Verdict.Drop;
                    break;
                case FilterAction.Steer when steering is null:
                    verdicts[i] = Verdict.Drop;
                    break;
                case FilterAction.Steer when target != steering.Queue:
                    verdicts[i] = steering.TrySend(target, burst.Handles[i]) ? Verdict.Consume : Verdict.Drop;
                    break;
            }
        }
    }
}
