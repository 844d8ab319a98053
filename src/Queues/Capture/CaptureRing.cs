using System.Buffers.Binary;

namespace PdCluster.Queues.Capture;

/// <summary>
/// A bounded single-producer, single-consumer ring of captured frames (timestamp, original length, the first
/// <see cref="SnapLength"/> bytes), preallocated whole. The producer (a queue's thread) never waits and never
/// allocates: a frame that finds the ring full is dropped from the capture and counted in <see cref="Dropped"/>. It
/// takes at most <see cref="Limit"/> frames. The consumer drains it from another thread; <see cref="Complete"/> says the
/// producer will add no more, and why.
/// </summary>
public sealed class CaptureRing
{
    private const int RecordHeader = 16;
    private readonly byte[] _slots;
    private readonly int _slotSize;
    private readonly int _mask;
    private long _head;
    private long _tail;
    private long _dropped;
    private volatile string? _endReason;

    /// <summary>A ring of <paramref name="slots"/> frames (a power of two) of at most <paramref name="snapLength"/> bytes each, taking at most <paramref name="limit"/> frames.</summary>
    public CaptureRing(int slots, int snapLength, long limit)
    {
        if (slots < 1 || (slots & (slots - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "A capture ring's slots are a power of two.");
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        SnapLength = snapLength;
        Limit = limit;
        _slotSize = RecordHeader + snapLength;
        _mask = slots - 1;
        _slots = new byte[(long)slots * _slotSize];
    }

    /// <summary>Most bytes of a frame kept; the rest is cut off, its original length kept.</summary>
    public int SnapLength { get; }

    /// <summary>Most frames the ring takes in all.</summary>
    public long Limit { get; }

    /// <summary>Frames the ring took.</summary>
    public long Accepted => Volatile.Read(ref _head);

    /// <summary>Frames dropped from the capture because the consumer lagged and the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Whether the ring took <see cref="Limit"/> frames.</summary>
    public bool IsFull => Accepted >= Limit;

    /// <summary>Why the producer stopped, once it has (<see cref="Complete"/>); null while it may still add frames.</summary>
    public string? EndReason => _endReason;

    /// <summary>
    /// Producer: copies <paramref name="frame"/> (up to <see cref="SnapLength"/> bytes) stamped <paramref name="unixTicks"/>
    /// (100 ns ticks since 1970). False when the limit was reached, or the ring was full (the frame is then counted dropped).
    /// </summary>
    public bool Offer(ReadOnlySpan<byte> frame, long unixTicks)
    {
        var head = _head;
        if (head >= Limit)
            return false;
        if (head - Volatile.Read(ref _tail) > _mask)
        {
            Volatile.Write(ref _dropped, _dropped + 1);
            return false;
        }
        var captured = Math.Min(frame.Length, SnapLength);
        var slot = _slots.AsSpan((int)((head & _mask) * _slotSize), _slotSize);
        BinaryPrimitives.WriteInt64LittleEndian(slot, unixTicks);
        BinaryPrimitives.WriteInt32LittleEndian(slot[8..], frame.Length);
        BinaryPrimitives.WriteInt32LittleEndian(slot[12..], captured);
        frame[..captured].CopyTo(slot[RecordHeader..]);
        Volatile.Write(ref _head, head + 1);
        return true;
    }

    /// <summary>
    /// Consumer: takes the oldest frame into <paramref name="into"/> (at least <see cref="SnapLength"/> bytes) and returns
    /// its captured length, or -1 when the ring is empty.
    /// </summary>
    public int TryTake(Span<byte> into, out long unixTicks, out int originalLength)
    {
        var tail = _tail;
        if (tail == Volatile.Read(ref _head))
        {
            unixTicks = 0;
            originalLength = 0;
            return -1;
        }
        var slot = _slots.AsSpan((int)((tail & _mask) * _slotSize), _slotSize);
        unixTicks = BinaryPrimitives.ReadInt64LittleEndian(slot);
        originalLength = BinaryPrimitives.ReadInt32LittleEndian(slot[8..]);
        var captured = BinaryPrimitives.ReadInt32LittleEndian(slot[12..]);
        slot.Slice(RecordHeader, captured).CopyTo(into);
        Volatile.Write(ref _tail, tail + 1);
        return captured;
    }

    /// <summary>Says the producer adds no more frames, and why; the first reason stands.</summary>
    public void Complete(string reason) => Interlocked.CompareExchange(ref _endReason, reason, null);
}
