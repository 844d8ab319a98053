namespace PdCluster.DataPath;

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
