using System.Runtime.CompilerServices;

namespace PdCluster.Vfp;

/// <summary>
/// Allowed and blocked packet and byte counts for a row of items (layers, rules). One writer, the port's queue
/// thread, adds; any thread reads a row as <see cref="VfpCounters"/>. A <see cref="Slot"/> names one item's allowed
/// or blocked pair, so a cached flow counts without looking its items up again.
/// </summary>
internal sealed class CounterArray(int count)
{
    private readonly long[] _values = new long[count * 4];

    /// <summary>Items counted.</summary>
    public int Count { get; } = count;

    /// <summary>Where item <paramref name="index"/> counts a packet of <paramref name="verdict"/>.</summary>
    public static int Slot(int index, VfpVerdict verdict) => index * 4 + (verdict == VfpVerdict.Allow ? 0 : 2);

    /// <summary>Counts one packet of <paramref name="bytes"/> in <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slot, int bytes) => Add(_values, slot, bytes);

    /// <summary>Counts one packet of <paramref name="bytes"/> in each of <paramref name="slots"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<int> slots, int bytes)
    {
        var values = _values;
        foreach (var slot in slots)
            Add(values, slot, bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(long[] values, int slot, int bytes)
    {
        var pair = values.AsSpan(slot, 2);
        Volatile.Write(ref pair[0], pair[0] + 1);
        Volatile.Write(ref pair[1], pair[1] + bytes);
    }

    /// <summary>The counts of item <paramref name="index"/>.</summary>
    public VfpCounters Read(int index)
    {
        var at = index * 4;
        return new VfpCounters(Volatile.Read(ref _values[at]), Volatile.Read(ref _values[at + 1]), Volatile.Read(ref _values[at + 2]), Volatile.Read(ref _values[at + 3]));
    }

    /// <summary>Carries item <paramref name="from"/> of <paramref name="previous"/> over to item <paramref name="to"/>; the writer calls it before publishing this row.</summary>
    public void CarryOver(CounterArray previous, int from, int to) =>
        previous._values.AsSpan(from * 4, 4).CopyTo(_values.AsSpan(to * 4, 4));
}
