using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// The obvious classifier: try every rule in priority order. The reference the tuple-space <see cref="Classifier"/>
/// is checked against in tests and measured against in benchmarks.
/// </summary>
public sealed class LinearScanClassifier
{
    private readonly Condition[][] _conditions;
    private readonly int[] _order;

    /// <summary>Orders <paramref name="rules"/> by priority, keeping insertion order among equals.</summary>
    public LinearScanClassifier(IReadOnlyList<ClassifierRule> rules)
    {
        _conditions = rules.Select(r => r.Matches.Select(m => new Condition(m, FieldSpec.Of(m.Header))).ToArray()).ToArray();
        _order = Enumerable.Range(0, rules.Count).OrderBy(i => rules[i].Priority).ThenBy(i => i).ToArray();
    }

    /// <summary>The index of the winning rule, or -1.</summary>
    public int Classify(in FlowKey key)
    {
        foreach (var rule in _order)
        {
            var all = true;
            foreach (var c in _conditions[rule])
            {
                // FieldMatch.Matches, with the place of the condition's presence bit looked up once rather than per packet.
                if (!key.IsSet(c.Presence) || !c.Match.FieldHolds(in key))
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

    /// <summary>A condition and where the presence bit of the header it needs sits in a key.</summary>
    private readonly record struct Condition(FieldMatch Match, FieldSpec Presence);
}
