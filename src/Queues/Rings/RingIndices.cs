using System.Runtime.InteropServices;

namespace PdCluster.Queues.Rings;

/// <summary>
/// A ring's indices, grouped by the side that writes them as in DPDK's <c>rte_ring</c> and Disruptor's padded
/// <c>Sequence</c>: the producer's tail and its cached copy of the head together, the consumer's head and its cached
/// copy of the tail together, each group <see cref="CacheLine.Padding"/> away from the other and from whatever
/// surrounds the ring, so each side keeps its own line and reads the other's only when its cached copy runs out.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 3 * CacheLine.Padding)]
internal struct RingIndices
{
    /// <summary>Producer: the next entry it writes; published to the consumer.</summary>
    [FieldOffset(CacheLine.Padding)] public long Tail;

    /// <summary>Producer: the consumer's head as it last read it.</summary>
    [FieldOffset(CacheLine.Padding + sizeof(long))] public long CachedHead;

    /// <summary>Consumer: the next entry it reads; published to the producer.</summary>
    [FieldOffset(2 * CacheLine.Padding)] public long Head;

    /// <summary>Consumer: the producer's tail as it last read it.</summary>
    [FieldOffset(2 * CacheLine.Padding + sizeof(long))] public long CachedTail;
}
