using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Rings;

namespace PdCluster.VSwitch;

/// <summary>Keeps a receive queue posted from a cache: each call posts what the queue lacks (a burst at most) and drains what arrived. Allocates nothing.</summary>
internal sealed class ReceiveRefill(IPdQueue rx, BufferCache cache, int burstSize)
{
    private readonly int[] _post = new int[burstSize];
    private int _deficit = rx.Capacity - rx.Outstanding;

    /// <summary>Posts fresh buffers and drains received ones into <paramref name="drain"/>.</summary>
    public PostAndDrainResult PostAndDrain(Span<int> drain)
    {
        var want = Math.Min(_deficit, _post.Length);
        var allocated = want > 0 ? cache.TryAllocate(_post.AsSpan(0, want)) : 0;
        var result = rx.PostAndDrain(_post.AsSpan(0, allocated), drain);
        if (result.Posted < allocated)
            cache.Return(_post.AsSpan(result.Posted, allocated - result.Posted));
        _deficit += result.Drained - result.Posted;
        return result;
    }
}
