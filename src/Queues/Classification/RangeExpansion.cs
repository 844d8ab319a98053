namespace PdCluster.Queues.Classification;

/// <summary>Turns a value range into the fewest value/mask prefixes that cover it exactly, so a range fits a hash lookup.</summary>
internal static class RangeExpansion
{
    /// <summary>
    /// Appends prefixes covering [low, high] of a <paramref name="bits"/>-wide field to <paramref name="output"/>.
    /// Returns false (and appends nothing) if more than <paramref name="limit"/> would be needed.
    /// </summary>
    public static bool TryExpand(UInt128 low, UInt128 high, int bits, int limit, List<(UInt128 Value, UInt128 Mask)> output)
    {
        var fieldMask = bits == 128 ? UInt128.MaxValue : ((UInt128)1 << bits) - 1;
        var start = output.Count;
        while (true)
        {
            // Widest aligned block that starts at low and stays within high.
            var size = low == 0 ? bits : Math.Min(bits, (int)UInt128.TrailingZeroCount(low));
            while (size > 0 && (size == 128 ? UInt128.MaxValue : low + (((UInt128)1 << size) - 1)) > high)
                size--;
            if (output.Count - start == limit)
            {
                output.RemoveRange(start, output.Count - start);
                return false;
            }
            var blockMask = size == 128 ? UInt128.MaxValue : ((UInt128)1 << size) - 1;
            output.Add((low, fieldMask & ~blockMask));
            var last = low + blockMask;
            if (last >= high)
                return true;
            low = last + 1;
        }
    }
}
