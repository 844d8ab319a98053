using PdCluster.Queues.Classification;

namespace PdCluster.DataPath;

/// <summary>
/// A list of filters parsed and validated once: each filter's conditions, action and hardware part, the software
/// classifier over them, and the receive filters the adapter sets. Immutable, so the adapter supervisor installs the
/// hardware half and every queue runs the software half from this one object (each queue counts hits in a
/// <see cref="FilterTable"/> of its own).
/// </summary>
public sealed class CompiledFilterSet
{
    private readonly FilterAction[] _actions;
    private readonly int[] _targets;
    private readonly Lazy<Dictionary<string, int>> _indexes;

    private CompiledFilterSet(IReadOnlyList<FilterSpec> specs, IReadOnlyList<ClassifierRule> rules, long revision)
    {
        Specs = specs;
        Rules = rules;
        Revision = revision;
        Classifier = Classifier.Compile(rules);
        _actions = new FilterAction[specs.Count];
        _targets = new int[specs.Count];
        var hardware = new List<HardwareFilter>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            _actions[i] = spec.Action;
            _targets[i] = spec.Queue ?? -1;
            // Steer filters hand packets over in software; the others with a queue are set in the adapter.
            if (spec.Queue is { } queue && spec.Action != FilterAction.Steer)
                hardware.Add(new HardwareFilter(spec.Id, rules[i].Matches, spec.Priority, queue, spec.Context));
        }
        HardwareFilters = hardware;
        _indexes = new Lazy<Dictionary<string, int>>(() => specs.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal));
    }

    /// <summary>A set with no filters.</summary>
    public static CompiledFilterSet Empty { get; } = new([], [], 0);

    /// <summary>Which version of the desired filters this is (the cluster store's revision; 0 for a local file).</summary>
    public long Revision { get; }

    /// <summary>The filters, in the order given.</summary>
    public IReadOnlyList<FilterSpec> Specs { get; }

    /// <summary>Each filter's parsed conditions and priority, in the order of <see cref="Specs"/>.</summary>
    public IReadOnlyList<ClassifierRule> Rules { get; }

    /// <summary>How many filters the set has.</summary>
    public int Count => Specs.Count;

    /// <summary>The software lookup: a packet's flow key to the index of the filter that applies.</summary>
    public Classifier Classifier { get; }

    /// <summary>The receive filters to set in the adapter: filters with a queue whose action is not steer, in the order given.</summary>
    public IReadOnlyList<HardwareFilter> HardwareFilters { get; }

    /// <summary>
    /// Parses and validates <paramref name="specs"/>; a bad filter throws <see cref="FilterSpecException"/> naming
    /// the filter and the problem, and nothing is compiled. A filter that <paramref name="previous"/> holds as the same
    /// object keeps the rule parsed there: a set that grows by a few filters parses only those.
    /// </summary>
    public static CompiledFilterSet Compile(IReadOnlyList<FilterSpec> specs, long revision = 0, CompiledFilterSet? previous = null)
    {
        var ids = new HashSet<string>(specs.Count, StringComparer.Ordinal);
        var rules = new ClassifierRule[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            CheckId(spec, i);
            if (!ids.Add(spec.Id))
                throw new FilterSpecException($"filter '{spec.Id}': the id appears twice.");
            rules[i] = previous?.ParsedRuleOf(spec) ?? RuleOf(spec);
        }
        return new CompiledFilterSet(specs, rules, revision);
    }

    /// <summary>Checks one filter as <see cref="Compile"/> checks each, without building a set (and its classifier) around it.</summary>
    public static void Check(FilterSpec spec)
    {
        CheckId(spec, 0);
        RuleOf(spec);
    }

    private static void CheckId(FilterSpec spec, int index)
    {
        if (string.IsNullOrWhiteSpace(spec.Id))
            throw new FilterSpecException($"filter #{index + 1}: every filter needs an id.");
        if (spec.Id.Any(char.IsControl) || spec.Id.Length > 128)
            throw new FilterSpecException($"filter #{index + 1}: an id is 1 to 128 characters with no control characters (it names the filter in /metrics, /status and the live table).");
    }

    private static ClassifierRule RuleOf(FilterSpec spec)
    {
        if (spec.Action == FilterAction.Steer && spec.Queue is null)
            throw new FilterSpecException($"filter '{spec.Id}': action steer needs a queue to steer to.");
        if (spec.Queue < 0)
            throw new FilterSpecException($"filter '{spec.Id}': queue {spec.Queue} is negative.");
        var rule = new ClassifierRule(spec.Priority, spec.ParseMatches());
        try
        {
            rule.Validate();
        }
        catch (FilterSpecException e)
        {
            throw new FilterSpecException($"filter '{spec.Id}': {e.Message}");
        }
        return rule;
    }

    /// <summary>Throws <see cref="FilterSpecException"/> (with its <see cref="FilterSpecException.FilterId"/>) naming the first filter whose queue is not among <paramref name="queues"/> queues.</summary>
    public void EnsureQueuesExist(int queues)
    {
        foreach (var spec in Specs)
        {
            if (spec.Queue >= queues)
                throw new FilterSpecException($"filter '{spec.Id}': queue {spec.Queue} does not exist (queues 0..{queues - 1}).") { FilterId = spec.Id };
        }
    }

    /// <summary>
    /// The index in this set of the filter <paramref name="other"/>'s filter <paramref name="index"/> is, when this set
    /// defines it alike (same id, priority, action, queue, context and conditions); -1 when it is absent or differs.
    /// </summary>
    public int IndexOfSame(CompiledFilterSet other, int index)
    {
        var spec = other.Specs[index];
        if (!_indexes.Value.TryGetValue(spec.Id, out var mine))
            return -1;
        var own = Specs[mine];
        var alike = own.Priority == spec.Priority && own.Action == spec.Action && own.Queue == spec.Queue && own.Context == spec.Context
            && Rules[mine].Matches.SequenceEqual(other.Rules[index].Matches);
        return alike ? mine : -1;
    }

    /// <summary>The rule this set parsed for <paramref name="spec"/> when it holds that very object, else null.</summary>
    private ClassifierRule? ParsedRuleOf(FilterSpec spec) =>
        _indexes.Value.TryGetValue(spec.Id, out var index) && ReferenceEquals(Specs[index], spec) ? Rules[index] : null;

    /// <summary>The action of filter <paramref name="rule"/> and its queue (-1 for none).</summary>
    internal FilterAction Action(int rule, out int target)
    {
        target = _targets[rule];
        return _actions[rule];
    }
}
