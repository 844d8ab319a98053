using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using PdCluster.Queues.Buffers;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// The UMEM of one device queue: the adapter's <see cref="BufferPool"/> memory, so a buffer handle is a frame at
/// handle × stride. A pool's usual stride is an odd number of cache lines, which only unaligned chunk mode can express;
/// a pool created with an aligned (power-of-two, at least 2,048-byte) stride is registered in aligned chunk mode, which
/// every zero-copy driver supports. Every PD queue's socket on the device queue shares it, with its one fill and completion ring;
/// the lock serializes them. A fill ring cannot give buffers back, so flushing one receive queue rebinds the others.
/// </summary>
internal sealed unsafe class AfXdpUmem : IDisposable
{
    private static readonly TimeSpan BindWait = TimeSpan.FromSeconds(10);
    private static readonly long RebindInterval = Stopwatch.Frequency / 1000;

    private readonly AfXdpProvider _provider;
    private readonly List<AfXdpQueue> _queues = [];
    private readonly byte[] _inFill;
    private readonly AfXdpQueue?[] _txOwner;
    private readonly Queue<int> _reclaimed = new();
    private nint _umem;
    private long _nextRebind;
    private bool _hadPool;

    public AfXdpUmem(AfXdpProvider provider, BufferPool pool)
    {
        _provider = provider;
        Pool = pool;
        Stride = (uint)pool.BufferStride;
        _inFill = new byte[pool.Capacity];
        _txOwner = new AfXdpQueue?[pool.Capacity];
        Fill = (XskRing*)NativeMemory.AllocZeroed((nuint)sizeof(XskRing));
        Completion = (XskRing*)NativeMemory.AllocZeroed((nuint)sizeof(XskRing));
        Create();
    }

    public Lock Lock { get; } = new();

    public BufferPool Pool { get; }

    public uint Stride { get; }

    /// <summary>Whether the UMEM is in aligned chunk mode (chunks of <see cref="Stride"/> bytes) rather than unaligned.</summary>
    public bool Aligned => Stride == Pool.BufferSize && BitOperations.IsPow2(Stride) && Stride >= 2048;

    public XskRing* Fill { get; }

    public XskRing* Completion { get; }

    public bool Failed { get; private set; }

    public int RingSize => 4096;

    /// <summary>
    /// Binds <paramref name="queue"/>'s socket to the device queue. The first bind waits while the kernel frees a
    /// previous provider's pool; once this UMEM has had a pool, a bind the kernel refuses for now is left to the queue's
    /// polls, as after a rebuild.
    /// </summary>
    public void Attach(AfXdpQueue queue)
    {
        lock (Lock)
        {
            if (_hadPool)
            {
                _queues.Add(queue);
                Rebind();
                return;
            }
            if (_umem == 0)
                Create();
            Bind(queue);
            _queues.Add(queue);
        }
    }

    /// <summary>Unbinds a queue that holds no buffers.</summary>
    public void Detach(AfXdpQueue queue)
    {
        lock (Lock)
        {
            _queues.Remove(queue);
            queue.CloseSocket();
        }
    }

    /// <summary>Marks a handle as given to the fill ring.</summary>
    public void Posted(int handle) => _inFill[handle] = 1;

    /// <summary>A handle came back on an RX ring.</summary>
    public void Received(int handle) => _inFill[handle] = 0;

    public void Transmitting(int handle, AfXdpQueue owner) => _txOwner[handle] = owner;

    /// <summary>Moves completed transmissions to their queues' backlogs. Called with the lock held.</summary>
    public void ReapCompletions()
    {
        if (_umem == 0)
            return;
        var n = Completion->Peek(uint.MaxValue, out var index);
        for (uint i = 0; i < n; i++)
        {
            var handle = (int)((Completion->Address(index + i) & LibXdp.UnalignedAddressMask) / Stride);
            var owner = _txOwner[handle];
            _txOwner[handle] = null;
            owner?.CompleteTransmit(handle, flushed: false);
        }
        if (n > 0)
            Completion->Release(n);
    }

    /// <summary>Takes a share of another queue's fill entries for <paramref name="receiver"/>, which got more than it posted.</summary>
    public void CoverShortfall(AfXdpQueue receiver)
    {
        foreach (var q in _queues)
        {
            if (q != receiver && q.FillShare > 0)
            {
                q.GiveFillEntry();
                receiver.TakeFillEntry();
                return;
            }
        }
    }

    /// <summary>
    /// Takes every socket down and reclaims every buffer the kernel held: flushed or stopped queues get theirs back as
    /// flushed; the others are bound again and their fill entries posted again (or, when the device went meanwhile, stop
    /// and get theirs back as flushed too). A queue the kernel cannot bind yet (the old pool is still being freed) stays
    /// unbound with its fill entries kept here, and its own polls try again (<see cref="RebindDue"/>), so neither this
    /// caller nor a queue that is about to be flushed too waits for the kernel. Called with the lock held.
    /// </summary>
    public void Rebuild(bool deviceGone)
    {
        ReapCompletions();
        foreach (var q in _queues)
            q.SaveReceived();
        foreach (var q in _queues)
            q.CloseSocket();
        DeleteUmem();
        for (var h = 0; h < _inFill.Length; h++)
        {
            if (_inFill[h] != 0)
            {
                _inFill[h] = 0;
                _reclaimed.Enqueue(h);
            }
            if (_txOwner[h] is { } owner)
            {
                _txOwner[h] = null;
                owner.CompleteTransmit(h, flushed: true);
            }
        }
        if (deviceGone)
            Failed = true;
        foreach (var q in _queues.Where(q => Failed || !q.Continues))
            q.ReturnFillShare(_reclaimed, flushed: true);
        Rebind();
        // A queue asleep on its old socket wakes to poll its new one (or to keep trying to bind).
        foreach (var q in _queues)
            q.Notify();
    }

    /// <summary>Tries again to bind the queues a rebuild left unbound, at most once a millisecond; called by such a queue's poll with the lock held.</summary>
    public void RebindDue()
    {
        var now = Stopwatch.GetTimestamp();
        if (now < _nextRebind)
            return;
        _nextRebind = now + RebindInterval;
        Rebind();
    }

    /// <summary>Binds every continuing queue that has no socket and posts its fill entries again; stops at the first the kernel refuses for now.</summary>
    private void Rebind()
    {
        if (Failed)
            return;
        try
        {
            foreach (var q in _queues)
            {
                if (!q.Continues || q.Bound)
                    continue;
                if (_umem == 0)
                    Create();
                if (!TryBind(q))
                    return;
                q.ReturnFillShare(_reclaimed, flushed: false);
            }
            Debug.Assert(_reclaimed.Count == 0 || _queues.Any(q => q.Continues && !q.Bound), "Every reclaimed fill entry belongs to a queue.");
        }
        catch (PdException)
        {
            // The device went (or refuses a socket for good) between the flush and the bind: every queue stops, and its
            // fill share comes back flushed.
            foreach (var q in _queues)
                q.CloseSocket();
            DeleteUmem();
            Failed = true;
            foreach (var q in _queues)
                q.ReturnFillShare(_reclaimed, flushed: true);
        }
    }

    /// <summary>Registers the UMEM inside the adapter's network namespace: its socket becomes the first queue's, and a socket binds to the interface index of its own namespace.</summary>
    private void Create() => _provider.InNamespace(CreateHere);

    private void CreateHere()
    {
        *Fill = default;
        *Completion = default;
        var config = new XskUmemConfig
        {
            FillSize = (uint)RingSize,
            CompSize = (uint)RingSize,
            FrameSize = (uint)Pool.BufferSize,
            FrameHeadroom = 0,
            Flags = Aligned ? 0 : LibXdp.UnalignedChunkFlag,
        };
        var size = (ulong)Pool.Capacity * Stride;
        var r = LibXdp.UmemCreate(out _umem, (void*)Pool.BaseAddress, size, Fill, Completion, &config);
        if (r != 0)
            throw _provider.Needs.UmemFailure(-r, size);
    }

    /// <summary>
    /// Binds <paramref name="queue"/>, waiting up to <see cref="BindWait"/> for a previous pool the kernel is still
    /// freeing: it frees it from a work item that takes the RTNL lock, which namespace and device teardown elsewhere on
    /// the host can hold for seconds.
    /// </summary>
    private void Bind(AfXdpQueue queue)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(BindWait.TotalSeconds * Stopwatch.Frequency);
        while (!TryBind(queue))
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new PdException(PdStatus.Busy,
                    $"Binding an AF_XDP socket to {_provider.Adapter.Name} queue 0 failed for {BindWait.TotalSeconds:0} s: {Marshal.GetPInvokeErrorMessage(Posix.Ebusy)} (another AF_XDP socket holds it).");
            Thread.Sleep(20);
        }
    }

    /// <summary>Binds <paramref name="queue"/>'s socket; false when the kernel is still freeing a previous pool on the device queue (EBUSY).</summary>
    private bool TryBind(AfXdpQueue queue)
    {
        var umem = _umem;
        var r = _provider.InNamespace(() => queue.OpenSocket(umem, Fill, Completion));
        if (r == 0)
            return _hadPool = true;
        if (-r is Posix.Enodev or Posix.Enxio or Posix.Enetdown)
            throw new PdException(PdStatus.DeviceRemoved, $"Binding an AF_XDP socket to {_provider.Adapter.Name} failed: {Marshal.GetPInvokeErrorMessage(-r)} (the device is gone).");
        if (-r == Posix.Ebusy)
            return false;
        throw new PdException(PdStatus.InsufficientResources, $"Binding an AF_XDP socket to {_provider.Adapter.Name} queue 0 failed: {Marshal.GetPInvokeErrorMessage(-r)}.");
    }

    /// <summary>Unregisters the UMEM; its ring mirrors are cleared, so nothing reads their unmapped memory.</summary>
    private void DeleteUmem()
    {
        if (_umem == 0)
            return;
        LibXdp.UmemDelete(_umem);
        _umem = 0;
        *Fill = default;
        *Completion = default;
    }

    public void Dispose()
    {
        lock (Lock)
        {
            foreach (var q in _queues)
                q.CloseSocket();
            _queues.Clear();
            DeleteUmem();
        }
        NativeMemory.Free(Fill);
        NativeMemory.Free(Completion);
    }
}
