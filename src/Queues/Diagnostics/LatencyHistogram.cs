using System.Numerics;

namespace PdCluster.Queues.Diagnostics;

/// <summary>
/// A fixed-size log-linear histogram of durations in nanoseconds (16 sub-buckets per power of two, under 7% error),
/// recorded without allocation on the hot path and read as percentiles.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;
    private readonly long[] _counts = new long[64 * SubBuckets];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records one duration; negative values count as zero.</summary>
    public void Record(long nanoseconds)
    {
        _counts[Index(Math.Max(0, nanoseconds))]++;
        Count++;
    }

    /// <summary>The value at or below which <paramref name="percentile"/> percent of recorded values fall (0 when empty).</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
            return 0;
        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return UpperBound(i);
        }
        return UpperBound(_counts.Length - 1);
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
        Count += other.Count;
    }

    /// <summary>Forgets every value.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
    }

    private static int Index(long value)
    {
        if (value < SubBuckets)
            return (int)value;
        var magnitude = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var sub = (int)(value >> (magnitude - SubBucketBits)) & (SubBuckets - 1);
        return (magnitude - SubBucketBits + 1) * SubBuckets + sub;
    }

    private static long UpperBound(int index)
    {
        if (index < SubBuckets)
            return index;
        var magnitude = index / SubBuckets + SubBucketBits - 1;
        var sub = index % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << (magnitude - SubBucketBits)) - 1;
    }
}
