using PdCluster.Queues.Buffers;
using PdCluster.Queues.Rings;

namespace PdCluster.DataPath;

/// <summary>
/// Hands packets between the queues of one adapter (the <c>steer</c> filter action): one SPSC ring per ordered pair
/// of queues, so every ring has one writer thread and one reader thread and the hot path takes no lock. Buffers
/// move with their handles; all queues share the adapter's pool.
/// </summary>
public sealed class SteeringMesh
{
    private readonly SpscRing<int>[,] _rings;

    /// <summary>A mesh for <paramref name="queues"/> queues with rings of <paramref name="slots"/> slots.</summary>
    public SteeringMesh(int queues, int slots = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        _rings = new SpscRing<int>[queues, queues];
        for (var from = 0; from < queues; from++)
        {
            for (var to = 0; to < queues; to++)
                _rings[from, to] = new SpscRing<int>(slots);
        }
        Queues = queues;
    }

    /// <summary>How many queues the mesh joins.</summary>
    public int Queues { get; }

    /// <summary>Queue <paramref name="queue"/>'s end of the mesh, used only by that queue's thread.</summary>
    public SteeringLane Lane(int queue) => new(this, queue);

    /// <summary>Returns every buffer still in a ring to <paramref name="pool"/>; call only when no queue runs.</summary>
    public int DrainTo(BufferPool pool)
    {
        Span<int> batch = stackalloc int[64];
        var drained = 0;
        foreach (var ring in _rings)
        {
            int n;
            while ((n = ring.TryDequeue(batch)) > 0)
            {
                pool.Return(batch[..n]);
                drained += n;
            }
        }
        return drained;
    }

    internal SpscRing<int> Ring(int from, int to) => _rings[from, to];
}
