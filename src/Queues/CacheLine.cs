namespace PdCluster.Queues;

/// <summary>Cache-line sizes that layouts shared between threads, and buffers read by the CPU in bursts, are built around.</summary>
public static class CacheLine
{
    /// <summary>Bytes in a cache line on x86-64 and most ARM64 cores.</summary>
    public const int Size = 64;

    /// <summary>
    /// Bytes that keep data written by different threads apart: two lines, because x86 cores prefetch a line's
    /// neighbour too (Intel's adjacent-line prefetcher), so one line of distance still shares traffic.
    /// </summary>
    public const int Padding = 2 * Size;
}
