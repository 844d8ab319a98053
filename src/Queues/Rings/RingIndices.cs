using System.Runtime.InteropServices;

namespace PdCluster.Queues.Rings;

/// <summary>A ring's producer and consumer indices, each on its own cache line (128 bytes apart against adjacent-line prefetch).</summary>
[StructLayout(LayoutKind.Explicit, Size = 640)]
internal struct RingIndices
{
    [FieldOffset(128)] public long Tail;
    [FieldOffset(256)] public long CachedHead;
    [FieldOffset(384)] public long Head;
    [FieldOffset(512)] public long CachedTail;
}
