using System.Diagnostics;

namespace PdCluster.Queues.Buffers;

/// <summary>
/// A per-thread stash of free buffers in front of a <see cref="BufferPool"/> (DPDK's mempool cache):
/// allocation and return touch only this object and go to the shared pool in bulk when it runs empty or full.
/// </summary>
/// <remarks>
/// Not thread-safe: one cache belongs to one thread, typically one queue actor, which disposes it when it is done
/// (DPDK's <c>rte_mempool_cache_free</c>): its buffers go home and the pool forgets it.
/// </remarks>
public sealed class BufferCache : IDisposable
{
    private readonly BufferPool _pool;
    private readonly int[] _items;
    private int _count;
    private bool _disposed;

    internal BufferCache(BufferPool pool, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        _pool = pool;
        _items = new int[size];
    }

    /// <summary>The pool behind this cache.</summary>
    public BufferPool Pool => _pool;

    /// <summary>Free buffers held by this cache.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes up to <c>handles.Length</c> buffers; returns how many were taken.</summary>
    public int TryAllocate(Span<int> handles)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var taken = 0;
        while (taken < handles.Length)
        {
            if (_count == 0 && !Refill())
                break;
            var n = Math.Min(_count, handles.Length - taken);
            Debug.Assert(_count <= _items.Length, "The cache holds more buffers than it has room for.");
            _items.AsSpan(_count - n, n).CopyTo(handles[taken..]);
            Volatile.Write(ref _count, _count - n);
            taken += n;
        }
        _pool.HandOut(handles[..taken]);
        return taken;
    }

    /// <summary>Returns buffers; overflow goes back to the shared pool.</summary>
    public void Return(ReadOnlySpan<int> handles)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pool.TakeBack(handles);
        while (!handles.IsEmpty)
        {
            if (_count == _items.Length)
                Flush(_items.Length / 2);
            var n = Math.Min(_items.Length - _count, handles.Length);
            handles[..n].CopyTo(_items.AsSpan(_count));
            Volatile.Write(ref _count, _count + n);
            handles = handles[n..];
        }
    }

    /// <summary>Returns one buffer.</summary>
    public void Return(int handle) => Return(new ReadOnlySpan<int>(in handle));

    /// <summary>Gives every cached buffer back to the shared pool.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Flush(_count);
    }

    /// <summary>Gives every cached buffer back to the shared pool and unregisters the cache; later use throws. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _pool.Release(this, _items.AsSpan(0, _count));
        Volatile.Write(ref _count, 0);
        _disposed = true;
    }

    private bool Refill()
    {
        var n = _pool.TakeFree(_items.AsSpan(0, _items.Length / 2));
        Volatile.Write(ref _count, n);
        return n > 0;
    }

    private void Flush(int n)
    {
        _pool.PutFree(_items.AsSpan(_count - n, n));
        Volatile.Write(ref _count, _count - n);
    }
}
