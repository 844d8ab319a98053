using PdCluster.Queues.Classification;

namespace PdCluster.Vfp;

/// <summary>
/// One group of one layer and direction, compiled: its rules in a tuple-space classifier and, per classifier rule,
/// the policy-wide index of the rule. A replies group holds the reverse side of the opposite direction's dnat rules.
/// </summary>
internal sealed class CompiledGroup(Classifier classifier, int[] rules, bool replies)
{
    /// <summary>The group's conditions; <see cref="Classifier.Classify"/> gives an index into <see cref="Rules"/>.</summary>
    public Classifier Classifier { get; } = classifier;

    /// <summary>Policy-wide rule index of each classifier rule.</summary>
    public int[] Rules { get; } = rules;

    /// <summary>Whether a match is a reply to a dnat rule: its source is rewritten back to the virtual endpoint.</summary>
    public bool Replies { get; } = replies;
}
