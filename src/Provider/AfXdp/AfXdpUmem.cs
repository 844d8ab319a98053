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
    private const int RebindAttempts = 100;

    private readonly AfXdpProvider _provider;
    private readonly List<AfXdpQueue> _queues = [];
    private readonly byte[] _inFill;
    private readonly AfXdpQueue?[] _txOwner;
    private nint _umem;

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

    /// <summary>Binds <paramref name="queue"/>'s socket to the device queue (retrying while a previous pool is still being freed).</summary>
    public void Attach(AfXdpQueue queue)
    {
        lock (Lock)
        {
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
    /// and get theirs back as flushed too). Called with the lock held.
    /// </summary>
    public void Rebuild(bool deviceGone)
    {
        ReapCompletions();
        foreach (var q in _queues)
            q.SaveReceived();
        foreach (var q in _queues)
            q.CloseSocket();
        if (_umem != 0)
        {
            LibXdp.UmemDelete(_umem);
            _umem = 0;
        }
        var reclaimed = new Queue<int>();
        for (var h = 0; h < _inFill.Length; h++)
        {
            if (_inFill[h] != 0)
            {
                _inFill[h] = 0;
                reclaimed.Enqueue(h);
            }
            if (_txOwner[h] is { } owner)
            {
                _txOwner[h] = null;
                owner.CompleteTransmit(h, flushed: true);
            }
        }
        if (deviceGone)
            Failed = true;
        var continuing = _queues.Where(q => !deviceGone && q.Continues).ToList();
        foreach (var q in _queues.Except(continuing))
            q.ReturnFillShare(reclaimed, flushed: true);
        Debug.Assert(continuing.Sum(q => q.FillShare) == reclaimed.Count, "Every reclaimed fill entry belongs to a queue.");
        if (continuing.Count == 0 || deviceGone)
            return;
        try
        {
            Create();
            foreach (var q in continuing)
                Bind(q);
        }
        catch (PdException e) when (e.Status == PdStatus.DeviceRemoved)
        {
            // The device went between the flush and the bind: every queue stops, and its fill share comes back flushed.
            foreach (var q in continuing)
                q.CloseSocket();
            LibXdp.UmemDelete(_umem);
            _umem = 0;
            Failed = true;
            foreach (var q in continuing)
                q.ReturnFillShare(reclaimed, flushed: true);
            return;
        }
        foreach (var q in continuing)
            q.ReturnFillShare(reclaimed, flushed: false);
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

    private void Bind(AfXdpQueue queue)
    {
        for (var attempt = 1; ; attempt++)
        {
            var umem = _umem;
            var r = _provider.InNamespace(() => queue.OpenSocket(umem, Fill, Completion));
            if (r == 0)
                return;
            if (-r is Posix.Enodev or Posix.Enxio or Posix.Enetdown)
                throw new PdException(PdStatus.DeviceRemoved, $"Binding an AF_XDP socket to {_provider.Adapter.Name} failed: {Marshal.GetPInvokeErrorMessage(-r)} (the device is gone).");
            if (-r != Posix.Ebusy || attempt == RebindAttempts)
                throw new PdException(-r == Posix.Ebusy ? PdStatus.Busy : PdStatus.InsufficientResources,
                    $"Binding an AF_XDP socket to {_provider.Adapter.Name} queue 0 failed: {Marshal.GetPInvokeErrorMessage(-r)}" +
                    (-r == Posix.Ebusy ? " (another AF_XDP socket or XDP program holds it)." : "."));
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        lock (Lock)
        {
            foreach (var q in _queues)
                q.CloseSocket();
            _queues.Clear();
            if (_umem != 0)
                LibXdp.UmemDelete(_umem);
            _umem = 0;
        }
        NativeMemory.Free(Fill);
        NativeMemory.Free(Completion);
    }
}
