using System.Diagnostics;
using System.Runtime.InteropServices;
using PdCluster.Concurrency;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// A PD queue as one AF_XDP socket: PostAndDrain is fill + RX for a receive queue and TX + completion for a transmit
/// queue, over rings mirrored in C#. Buffers the kernel gives back outside a drain (flush, rebind, device gone) wait in
/// a backlog that drains first.
/// </summary>
internal sealed unsafe class AfXdpQueue : IPdQueue
{
    private const uint MetaMagic = 0x50444658;
    private static readonly long LivenessInterval = Stopwatch.Frequency / 1000;

    /// <summary>Most wake-ups of one kick: a full TX ring's worth of the kernel's 32-frame batches.</summary>
    private const int MaxKicks = 4096 / 32;

    private readonly AfXdpProvider _provider;
    private readonly AfXdpUmem _umem;
    private readonly BufferPool _pool;
    private readonly XskRing* _ring;
    private readonly int[] _backlog;
    private int _backlogHead, _backlogCount;
    private nint _xsk;
    private int _fd = -1;
    private int _outstanding;
    private int _fillShare;
    private uint _counted;
    private long _lastLivenessCheck;
    private bool _flushed;
    private bool _stopped;
    private WakeSignal? _armed;
    private readonly ReceiveQueueCounters _rxCounters;
    private readonly TransmitQueueCounters _txCounters;
    private ulong _kernelDrops;

    public AfXdpQueue(AfXdpProvider provider, AfXdpUmem umem, PdQueueParameters parameters, int slot)
    {
        _provider = provider;
        _umem = umem;
        _pool = parameters.Pool;
        Parameters = parameters;
        Slot = slot;
        Capacity = parameters.QueueSize - 1;
        _ring = (XskRing*)NativeMemory.AllocZeroed((nuint)sizeof(XskRing));
        _backlog = new int[_pool.Capacity];
        _rxCounters = parameters.ReceiveCounters ?? new ReceiveQueueCounters();
        _txCounters = parameters.TransmitCounters ?? new TransmitQueueCounters();
    }

    /// <summary>The queue's slot in the XSKMAP.</summary>
    public int Slot { get; }

    public int Fd => _fd;

    public PdQueueType Type => Parameters.Type;

    public PdQueueParameters Parameters { get; }

    public int Capacity { get; }

    public int Outstanding
    {
        get
        {
            lock (_umem.Lock)
                return _outstanding;
        }
    }

    public bool IsStopped
    {
        get
        {
            lock (_umem.Lock)
                return _stopped || _flushed || _umem.Failed;
        }
    }

    public ReceiveQueueCounters ReceiveCounters
    {
        get
        {
            if (Type == PdQueueType.Receive)
                RefreshCounters();
            return Type == PdQueueType.Receive ? _rxCounters : new ReceiveQueueCounters();
        }
    }

    public TransmitQueueCounters TransmitCounters => Type == PdQueueType.Transmit ? _txCounters : new TransmitQueueCounters();

    public bool HasCompletions
    {
        get
        {
            lock (_umem.Lock)
            {
                if (_backlogCount > 0)
                    return true;
                if (_fd < 0)
                    return false;
                return Type == PdQueueType.Receive ? _ring->Pending > 0 : _umem.Completion->Pending > 0;
            }
        }
    }

    /// <summary>Fill-ring entries this queue posted that no packet has used yet.</summary>
    public int FillShare => _fillShare;

    /// <summary>Whether the queue has a socket bound to the device queue.</summary>
    public bool Bound => _xsk != 0;

    /// <summary>Whether the queue goes on after a rebind (it was neither flushed nor stopped).</summary>
    public bool Continues => !_flushed && !_stopped;

    public PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain)
    {
        lock (_umem.Lock)
        {
            // The client is polling: completions from here on are this poll's, not a notification's.
            _armed = null;
            var failed = _flushed || _stopped || _umem.Failed;
            if (!failed && _xsk == 0)
                _umem.RebindDue();
            var live = !failed && _xsk != 0;
            var posted = 0;
            if (live && post.Length > 0)
                posted = Type == PdQueueType.Receive ? PostFill(post) : PostTransmit(post);
            var drained = DrainBacklog(drain);
            if (live && drained < drain.Length)
            {
                if (Type == PdQueueType.Receive)
                    drained += DrainReceive(drain[drained..]);
                else
                {
                    _umem.ReapCompletions();
                    drained += DrainBacklog(drain[drained..]);
                }
                if (drained == 0)
                    CheckLiveness();
            }
            _outstanding -= drained;
            failed = _flushed || _stopped || _umem.Failed;
            var threshold = Parameters.DepthThreshold > 0 && (Type == PdQueueType.Receive
                ? _fillShare < Parameters.DepthThreshold
                : _outstanding > Parameters.DepthThreshold);
            return new PostAndDrainResult(posted, drained, threshold, failed);
        }
    }

    public int QueryQueueDepth()
    {
        lock (_umem.Lock)
            return Type == PdQueueType.Receive ? _fillShare : _outstanding - _backlogCount;
    }

    public void FlushQueue()
    {
        lock (_umem.Lock)
        {
            if (_flushed || _umem.Failed)
                return;
            _flushed = true;
            _provider.Filters.ClearSocket(Slot);
            if (Type == PdQueueType.Transmit)
                Kick();
            _umem.Rebuild(deviceGone: false);
        }
    }

    /// <summary>
    /// Arms PD's drain notification: a receive queue's signal watches its socket, readable once the RX ring holds a
    /// frame, so the poller's own wait sleeps on it. What the queue completes itself (transmissions reaped from the
    /// completion ring, buffers back from a rebuild) sets the armed signal.
    /// </summary>
    public void RequestDrainNotification(WakeSignal signal)
    {
        Interlocked.Exchange(ref _armed, signal);
        bool awaitingRebind;
        int fd;
        lock (_umem.Lock)
        {
            awaitingRebind = _xsk == 0 && Continues && !_umem.Failed;
            fd = _fd;
        }
        // An unbound queue has no socket to wait on: its thread keeps polling, and each poll tries the bind again.
        // A socket closed after this (a sibling's flush) wakes the wait through the rebuild's Notify.
        if (awaitingRebind)
            Notify();
        else if (Type == PdQueueType.Receive && fd >= 0)
            signal.Watch(fd, PollEvents.In);
    }

    /// <summary>Fires the armed signal once: a completion the queue saw itself, or a rebuild that replaced its socket.</summary>
    public void Notify() => Interlocked.Exchange(ref _armed, null)?.Set();

    /// <summary>Creates and binds the socket (returns 0 or a negative errno). Called with the UMEM lock held.</summary>
    public int OpenSocket(nint umem, XskRing* fill, XskRing* completion)
    {
        *_ring = default;
        var config = new XskSocketConfig
        {
            RxSize = Type == PdQueueType.Receive ? (uint)_umem.RingSize : 0,
            TxSize = Type == PdQueueType.Transmit ? (uint)_umem.RingSize : 0,
            LibxdpFlags = LibXdp.InhibitProgLoad,
            BindFlags = LibXdp.XdpCopy | LibXdp.XdpUseNeedWakeup,
        };
        var r = LibXdp.SocketCreateShared(out _xsk, _provider.Adapter.Name, 0, umem,
            Type == PdQueueType.Receive ? _ring : null, Type == PdQueueType.Transmit ? _ring : null, fill, completion, &config);
        if (r != 0)
        {
            _xsk = 0;
            return r;
        }
        _fd = LibXdp.SocketFd(_xsk);
        _counted = 0;
        _kernelDrops = 0;
        if (Type == PdQueueType.Receive && !_flushed)
            _provider.Filters.SetSocket(Slot, _fd);
        return 0;
    }

    /// <summary>Closes the socket. Called with the UMEM lock held.</summary>
    public void CloseSocket()
    {
        if (_xsk == 0)
            return;
        if (Type == PdQueueType.Receive)
            _provider.Filters.ClearSocket(Slot);
        LibXdp.SocketDelete(_xsk);
        _xsk = 0;
        _fd = -1;
        *_ring = default;
    }

    /// <summary>Moves what the RX ring holds into the backlog before the socket goes. Called with the UMEM lock held.</summary>
    public void SaveReceived()
    {
        if (Type != PdQueueType.Receive || _fd < 0)
            return;
        CountKernelDrops();
        var n = _ring->Peek(uint.MaxValue, out var index);
        for (uint i = 0; i < n; i++)
            _backlog[(_backlogHead + _backlogCount++) % _backlog.Length] = Receive(index + i);
        _ring->Release(n);
    }

    /// <summary>Takes this queue's fill share from <paramref name="reclaimed"/>: back as flushed buffers, or into the new fill ring.</summary>
    public void ReturnFillShare(Queue<int> reclaimed, bool flushed)
    {
        if (flushed)
        {
            for (; _fillShare > 0; _fillShare--)
            {
                var h = reclaimed.Dequeue();
                MarkFlushed(h);
                _backlog[(_backlogHead + _backlogCount++) % _backlog.Length] = h;
            }
            _stopped |= _umem.Failed;
            return;
        }
        var count = (uint)_fillShare;
        var fill = _umem.Fill;
        var got = fill->Reserve(count, out var index);
        Debug.Assert(got == count, "A new fill ring takes back every entry it held.");
        for (uint i = 0; i < got; i++)
        {
            var h = reclaimed.Dequeue();
            fill->Address(index + i) = (ulong)h * _umem.Stride;
            _umem.Posted(h);
        }
        fill->Submit(got);
    }

    public void GiveFillEntry()
    {
        _fillShare--;
        _outstanding--;
    }

    public void TakeFillEntry() => _outstanding++;

    /// <summary>A transmitted (or abandoned) buffer is back. Called with the UMEM lock held.</summary>
    public void CompleteTransmit(int handle, bool flushed)
    {
        if (flushed)
            MarkFlushed(handle);
        else
        {
            Interlocked.Increment(ref _txCounters.Packets);
            Interlocked.Add(ref _txCounters.Bytes, _pool.Descriptor(handle).DataLength);
        }
        _backlog[(_backlogHead + _backlogCount++) % _backlog.Length] = handle;
        Notify();
    }

    /// <summary>Stops the queue after the device went away. Called with the UMEM lock held.</summary>
    public void Stop() => _stopped = true;

    private int PostFill(ReadOnlySpan<int> post)
    {
        var want = (uint)Math.Min(post.Length, Capacity - _outstanding);
        if (want == 0)
            return 0;
        var fill = _umem.Fill;
        want = Math.Min(want, fill->ProdFree(want));
        var got = fill->Reserve(want, out var index);
        for (uint i = 0; i < got; i++)
        {
            var h = post[(int)i];
            fill->Address(index + i) = (ulong)h * _umem.Stride;
            _umem.Posted(h);
        }
        fill->Submit(got);
        _fillShare += (int)got;
        _outstanding += (int)got;
        return (int)got;
    }

    private int PostTransmit(ReadOnlySpan<int> post)
    {
        var want = (uint)Math.Min(post.Length, Capacity - _outstanding);
        uint got = 0, index = 0;
        if (want > 0)
            got = _ring->Reserve(Math.Min(want, _ring->ProdFree(want)), out index);
        if (got > 0)
        {
            for (uint i = 0; i < got; i++)
            {
                var h = post[(int)i];
                ref var d = ref _pool.Descriptor(h);
                ref var desc = ref _ring->Descriptor(index + i);
                desc.Addr = (ulong)h * _umem.Stride + (ulong)d.DataStart;
                desc.Len = (uint)d.DataLength;
                desc.Options = 0;
                _umem.Transmitting(h, this);
            }
            _ring->Submit(got);
            _outstanding += (int)got;
        }
        Kick();
        return (int)got;
    }

    /// <summary>
    /// Wakes the kernel to send what the TX ring holds. In copy mode one call sends a batch (32 frames) and answers
    /// EAGAIN while more wait, so the kick repeats until the ring is empty: nothing is left behind for a next post that
    /// may not come.
    /// </summary>
    private void Kick()
    {
        if (_fd < 0)
            return;
        for (var kicks = 0; kicks < MaxKicks && _ring->NeedsWakeup(); kicks++)
        {
            if (Posix.sendto(_fd, null, 0, Posix.MsgDontWait, null, 0) >= 0)
                return;
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Posix.Enxio or Posix.Enodev)
                _provider.DeviceGone();
            if (errno != Posix.Eagain || _ring->Unconsumed == 0)
                return;
        }
    }

    private int DrainBacklog(Span<int> drain)
    {
        var n = Math.Min(drain.Length, _backlogCount);
        for (var i = 0; i < n; i++)
        {
            drain[i] = _backlog[_backlogHead];
            _backlogHead = (_backlogHead + 1) % _backlog.Length;
        }
        _backlogCount -= n;
        return n;
    }

    private int DrainReceive(Span<int> drain)
    {
        var n = _ring->Peek((uint)drain.Length, out var index);
        for (uint i = 0; i < n; i++)
            drain[(int)i] = Receive(index + i);
        if (n > 0)
            _ring->Release(n);
        return (int)n;
    }

    /// <summary>Turns RX descriptor <paramref name="index"/> into a completed buffer.</summary>
    private int Receive(uint index)
    {
        ref var desc = ref _ring->Descriptor(index);
        var chunk = desc.Addr & LibXdp.UnalignedAddressMask;
        var offset = (desc.Addr >> LibXdp.UnalignedOffsetShift) + chunk % _umem.Stride;
        var handle = (int)(chunk / _umem.Stride);
        _umem.Received(handle);
        if (_fillShare > 0)
            _fillShare--;
        else
            _umem.CoverShortfall(this);
        ref var d = ref _pool.Descriptor(handle);
        d.DataStart = (int)offset;
        d.DataLength = (int)desc.Len;
        d.Flags = BufferFlags.None;
        d.RxFilterContext = 0;
        var buffer = (byte*)_pool.BaseAddress + (nint)handle * _umem.Stride + offset;
        if (offset >= 8 && *(uint*)(buffer - 8) == MetaMagic)
        {
            var filter = *(uint*)(buffer - 4);
            *(uint*)(buffer - 8) = 0;
            if (_provider.FilterContext(filter, out var context))
            {
                d.Flags = BufferFlags.FilterMatched;
                d.RxFilterContext = context;
            }
        }
        if (index - _counted < 0x8000_0000u)
        {
            Interlocked.Increment(ref _rxCounters.Packets);
            Interlocked.Add(ref _rxCounters.Bytes, desc.Len);
            _counted = index + 1;
        }
        return handle;
    }

    private void RefreshCounters()
    {
        lock (_umem.Lock)
        {
            if (_fd < 0)
                return;
            var end = Volatile.Read(ref *_ring->Producer);
            for (var i = _counted; i != end; i++)
            {
                Interlocked.Increment(ref _rxCounters.Packets);
                Interlocked.Add(ref _rxCounters.Bytes, _ring->Descriptor(i).Len);
            }
            _counted = end;
            CountKernelDrops();
        }
    }

    private void CountKernelDrops()
    {
        XdpStatistics stats;
        var length = (uint)sizeof(XdpStatistics);
        if (Posix.getsockopt(_fd, Posix.SolXdp, Posix.XdpStatisticsOption, &stats, &length) != 0)
            return;
        var drops = stats.RxDropped + stats.RxRingFull;
        Interlocked.Add(ref _rxCounters.Drops, (long)(drops - _kernelDrops));
        _kernelDrops = drops;
    }

    private void CheckLiveness()
    {
        var now = Stopwatch.GetTimestamp();
        if (now - _lastLivenessCheck < LivenessInterval || _fd < 0)
            return;
        _lastLivenessCheck = now;
        if (Posix.recvfrom(_fd, null, 0, Posix.MsgDontWait, null, null) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Posix.Enxio or Posix.Enodev)
                _provider.DeviceGone();
        }
    }

    private void MarkFlushed(int handle)
    {
        ref var d = ref _pool.Descriptor(handle);
        d.DataLength = 0;
        d.Flags = BufferFlags.Flushed;
        d.RxFilterContext = 0;
    }

    public void Dispose() => NativeMemory.Free(_ring);
}
