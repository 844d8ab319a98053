using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PdCluster.Queues.Rings;

/// <summary>
/// A single-producer single-consumer ring of descriptors with burst enqueue and dequeue.
/// Like a NIC descriptor ring, N slots hold N−1 entries; the producer's indices and the consumer's sit on cache lines
/// of their own (<see cref="RingIndices"/>), and each side caches the other's index so a burst reads shared state at most once.
/// </summary>
public sealed class SpscRing<T> where T : unmanaged
{
    private readonly T[] _slots;
    private readonly long _mask;
    private RingIndices _ix;

    /// <summary>Creates a ring of <paramref name="slots"/> slots (a power of two, at least 2).</summary>
    public SpscRing(int slots)
    {
        if (slots < 2 || !int.IsPow2(slots))
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "A ring has a power-of-two number of slots, at least 2.");
        _slots = new T[slots];
        _mask = slots - 1;
    }

    /// <summary>Number of slots.</summary>
    public int Slots => _slots.Length;

    /// <summary>Most entries the ring holds at once: one less than its slots.</summary>
    public int Capacity => _slots.Length - 1;

    /// <summary>Entries currently queued (a snapshot when read off the producer or consumer thread).</summary>
    public int Count => (int)(Volatile.Read(ref _ix.Tail) - Volatile.Read(ref _ix.Head));

    /// <summary>Producer: enqueues as many of <paramref name="items"/> as fit; returns how many.</summary>
    public int TryEnqueue(ReadOnlySpan<T> items)
    {
        var tail = _ix.Tail;
        var free = Capacity - (int)(tail - _ix.CachedHead);
        if (free < items.Length)
        {
            _ix.CachedHead = Volatile.Read(ref _ix.Head);
            free = Capacity - (int)(tail - _ix.CachedHead);
        }
        Debug.Assert(free >= 0 && free <= Capacity, "The producer's tail and its view of the head are more than a ring apart.");
        var n = Math.Min(free, items.Length);
        if (n == 0)
            return 0;
        CopyIn(items[..n], tail);
        Volatile.Write(ref _ix.Tail, tail + n);
        return n;
    }

    /// <summary>Producer: enqueues one entry if there is room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnqueue(T item)
    {
        var tail = _ix.Tail;
        if (tail - _ix.CachedHead >= Capacity)
        {
            _ix.CachedHead = Volatile.Read(ref _ix.Head);
            if (tail - _ix.CachedHead >= Capacity)
                return false;
        }
        Debug.Assert(tail >= _ix.CachedHead, "The producer's view of the head is past its tail.");
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), (nint)(tail & _mask)) = item;
        Volatile.Write(ref _ix.Tail, tail + 1);
        return true;
    }

    /// <summary>Consumer: dequeues up to <c>into.Length</c> entries; returns how many.</summary>
    public int TryDequeue(Span<T> into)
    {
        var head = _ix.Head;
        var available = (int)(_ix.CachedTail - head);
        if (available < into.Length)
        {
            _ix.CachedTail = Volatile.Read(ref _ix.Tail);
            available = (int)(_ix.CachedTail - head);
        }
        Debug.Assert(available >= 0 && available <= Capacity, "The consumer's head and its view of the tail are more than a ring apart.");
        var n = Math.Min(available, into.Length);
        if (n == 0)
            return 0;
        CopyOut(head, into[..n]);
        Volatile.Write(ref _ix.Head, head + n);
        return n;
    }

    /// <summary>Consumer: dequeues one entry if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDequeue(out T item)
    {
        var head = _ix.Head;
        if (head == _ix.CachedTail)
        {
            _ix.CachedTail = Volatile.Read(ref _ix.Tail);
            if (head == _ix.CachedTail)
            {
                item = default;
                return false;
            }
        }
        Debug.Assert(_ix.CachedTail - head > 0 && _ix.CachedTail - head <= Capacity, "The consumer's view of the tail is behind its head or a ring ahead.");
        item = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), (nint)(head & _mask));
        Volatile.Write(ref _ix.Head, head + 1);
        return true;
    }

    private void CopyIn(ReadOnlySpan<T> items, long tail)
    {
        var start = (int)(tail & _mask);
        var first = Math.Min(items.Length, _slots.Length - start);
        items[..first].CopyTo(_slots.AsSpan(start));
        items[first..].CopyTo(_slots);
    }

    private void CopyOut(long head, Span<T> into)
    {
        var start = (int)(head & _mask);
        var first = Math.Min(into.Length, _slots.Length - start);
        _slots.AsSpan(start, first).CopyTo(into);
        _slots.AsSpan(0, into.Length - first).CopyTo(into[first..]);
    }
}
