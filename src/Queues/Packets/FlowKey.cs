using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PdCluster.Queues.Packets;

/// <summary>
/// Every <see cref="MatchField"/> of a packet packed into fixed 64-bit words, the form the classifier hashes and masks.
/// Fields never straddle words except the 128-bit addresses, which take two (high word first).
/// </summary>
[InlineArray(Words)]
public struct FlowKey
{
    /// <summary>Number of 64-bit words in a key.</summary>
    public const int Words = 15;

    private ulong _word;

    /// <summary>Reads a field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly UInt128 Get(MatchField field)
    {
        var spec = FieldSpec.Of(field);
        if (spec.Bits == 128)
            return new UInt128(Word(spec.Word), Word(spec.Word + 1));
        return (Word(spec.Word) >> spec.Shift) & spec.WordMask;
    }

    /// <summary>Writes a field; bits beyond its width are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(MatchField field, UInt128 value)
    {
        var spec = FieldSpec.Of(field);
        if (spec.Bits == 128)
        {
            WordRef(spec.Word) = (ulong)(value >> 64);
            WordRef(spec.Word + 1) = (ulong)value;
            return;
        }
        Set(field, (ulong)value);
    }

    /// <summary>Writes a field of at most 64 bits; bits beyond its width are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(MatchField field, ulong value)
    {
        var spec = FieldSpec.Of(field);
        var mask = spec.WordMask << spec.Shift;
        ref var word = ref WordRef(spec.Word);
        word = (word & ~mask) | ((value << spec.Shift) & mask);
    }

    // Field layouts are constants inside the key, so word indices need no bounds check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong Word(int index) => Unsafe.Add(ref Unsafe.AsRef(in _word), index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [UnscopedRef]
    private ref ulong WordRef(int index) => ref Unsafe.Add(ref _word, index);
}
