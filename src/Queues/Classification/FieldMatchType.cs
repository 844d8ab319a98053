namespace PdCluster.Queues.Classification;

/// <summary>PD's match types for one header field.</summary>
public enum FieldMatchType : byte
{
    /// <summary>The field equals <see cref="FieldMatch.Value"/>.</summary>
    Equal,
    /// <summary>The field under <see cref="FieldMatch.Operand"/> (a mask, usually a prefix) equals the value under it.</summary>
    MaskEqual,
    /// <summary>The field lies in [<see cref="FieldMatch.Value"/>, <see cref="FieldMatch.Operand"/>].</summary>
    InRange,
    /// <summary>The field AND <see cref="FieldMatch.Operand"/> is non-zero (PD's TCP flags rule).</summary>
    AnyBitSet,
}
