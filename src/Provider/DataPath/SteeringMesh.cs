using PdCluster.Queues.Buffers;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.DataPath;

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

/// <summary>One queue's end of a <see cref="SteeringMesh"/>: sends to other queues, receives what they steered here.</summary>
public sealed class SteeringLane
{
    private readonly SteeringMesh _mesh;
    private int _next;

    internal SteeringLane(SteeringMesh mesh, int queue)
    {
        _mesh = mesh;
        Queue = queue;
    }

    /// <summary>The queue this lane belongs to.</summary>
    public int Queue { get; }

    /// <summary>Packets steered away that found the target's ring full (the caller drops them).</summary>
    public long Overflows { get; private set; }

    /// <summary>Hands <paramref name="handle"/> to queue <paramref name="target"/>; false if its ring is full or it does not exist.</summary>
    public bool TrySend(int target, int handle)
    {
        if ((uint)target >= (uint)_mesh.Queues || !_mesh.Ring(Queue, target).TryEnqueue(handle))
        {
            Overflows++;
            return false;
        }
        return true;
    }

    /// <summary>Takes up to <c>into.Length</c> packets other queues steered here, visiting them in turn.</summary>
    public int Receive(Span<int> into)
    {
        var taken = 0;
        for (var i = 0; i < _mesh.Queues && taken < into.Length; i++)
        {
            var from = _next;
            _next = _next + 1 == _mesh.Queues ? 0 : _next + 1;
            if (from != Queue)
                taken += _mesh.Ring(from, Queue).TryDequeue(into[taken..]);
        }
        return taken;
    }
}
