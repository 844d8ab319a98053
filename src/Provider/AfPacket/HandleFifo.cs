namespace PdCluster.Provider.AfPacket;

/// <summary>A first-in first-out list of buffer handles of fixed capacity, for one queue's thread (callers hold its lock).</summary>
internal sealed class HandleFifo(int capacity)
{
    private readonly int[] _handles = new int[capacity];
    private int _head;

    public int Count { get; private set; }

    public void Enqueue(int handle)
    {
        _handles[(_head + Count) % _handles.Length] = handle;
        Count++;
    }

    public int Peek() => _handles[_head];

    public int Dequeue()
    {
        var handle = _handles[_head];
        _head = (_head + 1) % _handles.Length;
        Count--;
        return handle;
    }
}
