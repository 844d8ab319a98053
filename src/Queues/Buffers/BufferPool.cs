using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace PdCluster.Queues.Buffers;

/// <summary>
/// Fixed-size packet buffers in one page-aligned block of native memory, referenced by integer handle,
/// with exact accounting of free buffers and an optional checked mode that catches double returns and use after return.
/// </summary>
/// <remarks>
/// Threads allocate and return in bulk through the shared free stack, or through a <see cref="BufferCache"/> each
/// (DPDK's per-lcore mempool cache) so that the steady state touches no shared state. Buffers start on cache-line
/// boundaries an odd number of lines apart: with a power-of-two stride every packet's first line would fall in the
/// same two sets of the L1 cache and a burst would evict itself. A pool created with <c>alignedStride</c> gives that up
/// for buffers exactly <see cref="BufferSize"/> apart, for devices that need power-of-two frames (AF_XDP's aligned
/// chunk mode).
/// </remarks>
public sealed unsafe class BufferPool : IDisposable
{
    /// <summary>Alignment of the buffer block: one page.</summary>
    public const int PageSize = 4096;

    private readonly byte* _data;
    private readonly int _stride;
    private readonly BufferDescriptor* _descriptors;
    private readonly int[] _free;
    private readonly byte[]? _inUse;
    private readonly List<BufferCache> _caches = [];
    private readonly Lock _lock = new();
    private int _freeCount;
    private bool _disposed;

    /// <summary>The buffer size of a pool that names none: a whole Ethernet frame.</summary>
    public const int DefaultBufferSize = 2048;

    /// <summary>
    /// How far apart a pool places buffers of <paramref name="bufferSize"/> bytes: an odd number of cache lines (so
    /// buffers do not all start in the same cache set), or exactly the size when <paramref name="alignedStride"/>.
    /// </summary>
    public static int StrideFor(int bufferSize, bool alignedStride = false) =>
        alignedStride || bufferSize / CacheLine.Size % 2 != 0 ? bufferSize : bufferSize + CacheLine.Size;

    /// <summary>Creates a pool of <paramref name="capacity"/> buffers of <paramref name="bufferSize"/> bytes each.</summary>
    /// <param name="alignedStride">Buffers exactly <paramref name="bufferSize"/> apart (a power of two) instead of an odd number of cache lines.</param>
    public BufferPool(int capacity, int bufferSize = DefaultBufferSize, bool checkedMode = false, bool alignedStride = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 128);
        if (bufferSize % CacheLine.Size != 0)
            throw new ArgumentException($"Buffer size must be a multiple of {CacheLine.Size} bytes (a cache line).", nameof(bufferSize));
        if (alignedStride && !BitOperations.IsPow2(bufferSize))
            throw new ArgumentException("An aligned stride needs a power-of-two buffer size.", nameof(bufferSize));

        Capacity = capacity;
        BufferSize = bufferSize;
        _stride = StrideFor(bufferSize, alignedStride);
        var bytes = (nuint)capacity * (nuint)_stride;
        _data = (byte*)NativeMemory.AlignedAlloc(bytes, PageSize);
        NativeMemory.Clear(_data, bytes);
        _descriptors = (BufferDescriptor*)NativeMemory.AlignedAlloc((nuint)(capacity * sizeof(BufferDescriptor)), CacheLine.Size);
        NativeMemory.Clear(_descriptors, (nuint)(capacity * sizeof(BufferDescriptor)));
        _free = new int[capacity];
        for (var i = 0; i < capacity; i++)
            _free[i] = capacity - 1 - i;
        _freeCount = capacity;
        _inUse = checkedMode ? new byte[capacity] : null;
    }

    /// <summary>How many buffers the pool owns.</summary>
    public int Capacity { get; }

    /// <summary>Size of each buffer in bytes.</summary>
    public int BufferSize { get; }

    /// <summary>Whether double returns and use after return are detected.</summary>
    public bool IsChecked => _inUse is not null;

    /// <summary>Buffers not held by any client: the shared stack plus every cache. Exact when no thread is mid-call.</summary>
    public int FreeCount
    {
        get
        {
            lock (_lock)
            {
                var count = _freeCount;
                foreach (var cache in _caches)
                    count += cache.Count;
                return count;
            }
        }
    }

    /// <summary>Caches created and not yet disposed.</summary>
    public int CacheCount
    {
        get
        {
            lock (_lock)
                return _caches.Count;
        }
    }

    /// <summary>Bytes from one buffer's start to the next: the buffer size, or one cache line more to keep the stride odd (unless created with an aligned stride).</summary>
    public int BufferStride => _stride;

    /// <summary>Start of the buffer block, for providers that register it with a device (for example an AF_XDP UMEM).</summary>
    public nint BaseAddress => (nint)_data;

    /// <summary>Takes up to <c>handles.Length</c> buffers; returns how many were taken.</summary>
    public int TryAllocate(Span<int> handles)
    {
        var taken = TakeFree(handles);
        HandOut(handles[..taken]);
        return taken;
    }

    /// <summary>Returns buffers to the pool.</summary>
    public void Return(ReadOnlySpan<int> handles)
    {
        TakeBack(handles);
        PutFree(handles);
    }

    /// <summary>Returns one buffer to the pool.</summary>
    public void Return(int handle) => Return(new ReadOnlySpan<int>(in handle));

    /// <summary>Creates a cache for one thread's use; its buffers still count as free. Dispose it when the thread is done with it.</summary>
    public BufferCache CreateCache(int size = 256)
    {
        var cache = new BufferCache(this, size);
        lock (_lock)
            _caches.Add(cache);
        return cache;
    }

    /// <summary>Metadata of a buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref BufferDescriptor Descriptor(int handle)
    {
        CheckAccess(handle);
        return ref _descriptors[handle];
    }

    /// <summary>The whole buffer, headroom included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Buffer(int handle)
    {
        CheckAccess(handle);
        return new Span<byte>(_data + (nint)handle * _stride, BufferSize);
    }

    /// <summary>The packet bytes: <see cref="BufferDescriptor.DataLength"/> bytes from <see cref="BufferDescriptor.DataStart"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Packet(int handle)
    {
        ref var d = ref Descriptor(handle);
        Debug.Assert(d.DataStart >= 0 && d.DataLength >= 0 && d.DataStart + d.DataLength <= BufferSize,
            "The packet's start and length reach outside its buffer.");
        return new Span<byte>(_data + (nint)handle * _stride + d.DataStart, d.DataLength);
    }

    /// <summary>
    /// Asks the CPU to start loading the descriptors of <paramref name="handles"/>, then the first cache line of each
    /// of their packets (DPDK's rte_prefetch0 over a received burst), so the burst's processing finds them in cache
    /// instead of waiting on each in turn. A hint only: out-of-range handles are skipped, and it does nothing where
    /// the CPU has no prefetch instruction.
    /// </summary>
    public void Prefetch(ReadOnlySpan<int> handles)
    {
        if (!Sse.IsSupported)
            return;
        foreach (var handle in handles)
        {
            if ((uint)handle < (uint)Capacity)
                Sse.Prefetch0(_descriptors + handle);
        }
        foreach (var handle in handles)
        {
            if ((uint)handle < (uint)Capacity)
                Sse.Prefetch0(_data + (nint)handle * _stride + _descriptors[handle].DataStart);
        }
    }

    /// <summary>Copies <paramref name="packet"/> into a buffer at <paramref name="dataStart"/> and sets its start and length.</summary>
    public void SetPacket(int handle, ReadOnlySpan<byte> packet, int dataStart = 0)
    {
        ref var d = ref Descriptor(handle);
        d.DataStart = dataStart;
        d.DataLength = packet.Length;
        packet.CopyTo(new Span<byte>(_data + (nint)handle * _stride + dataStart, BufferSize - dataStart));
    }

    /// <summary>Frees the native memory. Buffers still held by clients become invalid.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        NativeMemory.AlignedFree(_data);
        NativeMemory.AlignedFree(_descriptors);
    }

    internal int TakeFree(Span<int> into)
    {
        lock (_lock)
        {
            var n = Math.Min(into.Length, _freeCount);
            _freeCount -= n;
            _free.AsSpan(_freeCount, n).CopyTo(into);
            return n;
        }
    }

    internal void PutFree(ReadOnlySpan<int> handles)
    {
        lock (_lock)
            PutFreeLocked(handles);
    }

    /// <summary>Takes a disposed cache's buffers back and forgets the cache, in one step so <see cref="FreeCount"/> stays exact.</summary>
    internal void Release(BufferCache cache, ReadOnlySpan<int> cached)
    {
        lock (_lock)
        {
            PutFreeLocked(cached);
            _caches.Remove(cache);
        }
    }

    /// <summary>Records buffers as held by a client (checked mode only).</summary>
    internal void HandOut(ReadOnlySpan<int> handles)
    {
        if (_inUse is null)
            return;
        foreach (var h in handles)
            _inUse[h] = 1;
    }

    /// <summary>Validates returned handles and records them as free.</summary>
    internal void TakeBack(ReadOnlySpan<int> handles)
    {
        foreach (var h in handles)
        {
            if ((uint)h >= (uint)Capacity)
                throw new BufferPoolException($"Buffer handle {h} is outside the pool (0..{Capacity - 1}).");
            if (_inUse is null)
                continue;
            if (_inUse[h] == 0)
                throw new BufferPoolException($"Buffer {h} was returned twice.");
            _inUse[h] = 0;
        }
    }

    private void PutFreeLocked(ReadOnlySpan<int> handles)
    {
        if (_freeCount + handles.Length > Capacity)
            throw new BufferPoolException($"More buffers returned than the pool owns ({Capacity}): a handle was returned twice.");
        handles.CopyTo(_free.AsSpan(_freeCount));
        _freeCount += handles.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckAccess(int handle)
    {
        if ((uint)handle >= (uint)Capacity)
            ThrowOutOfRange(handle);
        if (_inUse is not null && _inUse[handle] == 0)
            ThrowUseAfterReturn(handle);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfRange(int handle) =>
        throw new BufferPoolException($"Buffer handle {handle} is outside the pool (0..{Capacity - 1}).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUseAfterReturn(int handle) =>
        throw new BufferPoolException($"Buffer {handle} was used after it was returned to the pool.");
}
