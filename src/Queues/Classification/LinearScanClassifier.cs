using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// The obvious classifier: try every rule in priority order. The reference the tuple-space <see cref="Classifier"/>
/// is checked against in tests and measured against in benchmarks.
/// </summary>
public sealed class LinearScanClassifier
{
    private readonly FieldMatch[][] _matches;
    private readonly int[] _order;

    /// <summary>Orders <paramref name="rules"/> by priority, keeping insertion order among equals.</summary>
    public LinearScanClassifier(IReadOnlyList<ClassifierRule> rules)
    {
        _matches = rules.Select(r => r.Matches.ToArray()).ToArray();
        _order = Enumerable.Range(0, rules.Count).OrderBy(i => rules[i].Priority).ThenBy(i => i).ToArray();
    }

    /// <summary>The index of the winning rule, or -1.</summary>
    public int Classify(in FlowKey key)
    {
        foreach (var rule in _order)
        {
            var all = true;
            foreach (var m in _matches[rule])
            {
                if (!m.Matches(in key))
                {
                    all = false;
                    break;
                }
            }
            if (all)
                return rule;
        }
        return -1;
    }
}
