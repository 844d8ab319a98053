using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PdCluster.Queues.Packets;

/// <summary>
/// Every <see cref="MatchField"/> of a packet packed into fixed 64-bit words, the form the classifier hashes and masks,
/// with one presence bit per <see cref="PacketHeaders"/> flag in spare bits of the words. Fields never straddle words
/// except the 128-bit addresses, which take two (high word first).
/// Invariant: with <see cref="PacketHeaders.Ipv4"/> (or <see cref="PacketHeaders.InnerIpv4"/>) present, the
/// addresses are IPv4-mapped (<see cref="PacketParser.MapIpv4"/>); the classifier hashes only their low 32 bits.
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

    /// <summary>Every header present. Setting it replaces all the presence bits and leaves the fields alone.</summary>
    public PacketHeaders Headers
    {
        readonly get
        {
            var headers = PacketHeaders.None;
            for (var bits = (uint)AllHeaders; bits != 0; bits &= bits - 1)
            {
                var header = (PacketHeaders)(1u << BitOperations.TrailingZeroCount(bits));
                if (Has(header))
                    headers |= header;
            }
            return headers;
        }
        set
        {
            for (var bits = (uint)AllHeaders; bits != 0; bits &= bits - 1)
            {
                var header = (PacketHeaders)(1u << BitOperations.TrailingZeroCount(bits));
                var spec = FieldSpec.Of(header);
                var bit = 1UL << spec.Shift;
                ref var word = ref WordRef(spec.Word);
                word = (value & header) != 0 ? word | bit : word & ~bit;
            }
        }
    }

    /// <summary>Whether <paramref name="header"/> (a single flag) is present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Has(PacketHeaders header) => IsSet(FieldSpec.Of(header));

    /// <summary>Whether the one-bit field at <paramref name="bit"/> is set: a presence bit whose place was looked up in advance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly bool IsSet(FieldSpec bit) => (Word(bit.Word) & (1UL << bit.Shift)) != 0;

    /// <summary>Marks <paramref name="header"/> (a single flag) present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetPresent(PacketHeaders header)
    {
        var spec = FieldSpec.Of(header);
        WordRef(spec.Word) |= 1UL << spec.Shift;
    }

    /// <summary>Every flag of <see cref="PacketHeaders"/>.</summary>
    internal const PacketHeaders AllHeaders = (PacketHeaders)(((int)PacketHeaders.InnerPorts << 1) - 1);

    // Field layouts are constants inside the key, so word indices need no bounds check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong Word(int index)
    {
        Debug.Assert((uint)index < Words);
        return Unsafe.Add(ref Unsafe.AsRef(in _word), index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [UnscopedRef]
    private ref ulong WordRef(int index)
    {
        Debug.Assert((uint)index < Words);
        return ref Unsafe.Add(ref _word, index);
    }
}
