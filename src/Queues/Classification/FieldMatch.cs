using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>One header-field condition of a receive filter.</summary>
/// <param name="Operand">The mask for <see cref="FieldMatchType.MaskEqual"/> and <see cref="FieldMatchType.AnyBitSet"/>, the upper bound for <see cref="FieldMatchType.InRange"/>.</param>
public readonly record struct FieldMatch(MatchField Field, FieldMatchType Type, UInt128 Value, UInt128 Operand)
{
    /// <summary>The field equals <paramref name="value"/>.</summary>
    public static FieldMatch Equal(MatchField field, UInt128 value) => new(field, FieldMatchType.Equal, value, 0);

    /// <summary>The field's top <paramref name="prefixLength"/> bits equal those of <paramref name="value"/>.</summary>
    public static FieldMatch Prefix(MatchField field, UInt128 value, int prefixLength)
    {
        var bits = FieldSpec.Of(field).Bits;
        if (prefixLength < 0 || prefixLength > bits)
            throw new FilterSpecException($"{field}: prefix length {prefixLength} is outside 0..{bits}.");
        var mask = prefixLength == 0 ? UInt128.Zero : FieldSpec.Of(field).FieldMask ^ (FieldSpec.Of(field).FieldMask >> prefixLength);
        return new(field, FieldMatchType.MaskEqual, value, mask);
    }

    /// <summary>The field lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static FieldMatch Range(MatchField field, UInt128 low, UInt128 high) => new(field, FieldMatchType.InRange, low, high);

    /// <summary>Any bit of <paramref name="mask"/> is set in the field.</summary>
    public static FieldMatch AnyBit(MatchField field, UInt128 mask) => new(field, FieldMatchType.AnyBitSet, 0, mask);

    /// <summary>Whether <paramref name="key"/> satisfies this condition. The reference semantics every classifier must agree with.</summary>
    public bool Matches(in FlowKey key)
    {
        var v = key.Get(Field);
        return Type switch
        {
            FieldMatchType.Equal => v == Value,
            FieldMatchType.MaskEqual => (v & Operand) == (Value & Operand),
            FieldMatchType.InRange => v >= Value && v <= Operand,
            FieldMatchType.AnyBitSet => (v & Operand) != 0,
            _ => false,
        };
    }

    /// <summary>Throws <see cref="FilterSpecException"/> unless this condition is well-formed for its field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Field))
            throw new FilterSpecException($"Unknown match field {(int)Field}.");
        var spec = FieldSpec.Of(Field);
        var max = spec.FieldMask;
        switch (Type)
        {
            case FieldMatchType.Equal when Value > max:
            case FieldMatchType.MaskEqual when Value > max || Operand > max:
                throw new FilterSpecException($"{Field}: value does not fit in {spec.Bits} bits.");
            case FieldMatchType.InRange when Value > Operand:
                throw new FilterSpecException($"{Field}: range low end {Value} is above its high end {Operand}.");
            case FieldMatchType.InRange when Operand > max:
                throw new FilterSpecException($"{Field}: range end does not fit in {spec.Bits} bits.");
            case FieldMatchType.AnyBitSet when Field != MatchField.TcpFlags:
                throw new FilterSpecException($"{Field}: any-bit-set matching is only for TcpFlags.");
            case FieldMatchType.AnyBitSet when Operand == 0 || Operand > max:
                throw new FilterSpecException($"{Field}: the flag mask must be non-zero and fit in {spec.Bits} bits.");
        }
        if (!Enum.IsDefined(Type))
            throw new FilterSpecException($"{Field}: unknown match type {(int)Type}.");
    }
}
