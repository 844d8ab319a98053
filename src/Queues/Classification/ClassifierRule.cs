namespace PdCluster.Queues.Classification;

/// <summary>
/// What a classifier is compiled from: the conditions of one receive filter (all must hold) and its priority.
/// Lower <see cref="Priority"/> values are applied first; among equal priorities the rule added first wins.
/// </summary>
public sealed record ClassifierRule(int Priority, IReadOnlyList<FieldMatch> Matches)
{
    /// <summary>Throws <see cref="FilterSpecException"/> for a malformed condition or a field named twice.</summary>
    public void Validate()
    {
        Span<bool> seen = stackalloc bool[64];
        foreach (var m in Matches)
        {
            m.Validate();
            if (seen[(int)m.Field])
                throw new FilterSpecException($"{m.Field} is matched twice in one filter.");
            seen[(int)m.Field] = true;
        }
    }
}
