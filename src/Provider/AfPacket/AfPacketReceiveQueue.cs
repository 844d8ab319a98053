using System.Diagnostics;
using System.Runtime.CompilerServices;
using PdCluster.Concurrency;
using PdCluster.Provider.AfXdp;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// A PD receive queue as one AF_PACKET socket with a TPACKET_V3 ring. Posted buffers wait in the queue; each poll
/// walks the blocks the kernel retired, copies every frame into the next posted buffer (its VLAN tag put back), lets
/// the classifier say whether the frame is this queue's (its winning filter targets this queue, or none matches and
/// this is an acquired RSS queue), and hands the block back. A frame that is this queue's but finds no posted buffer is
/// dropped and counted, as a NIC drops with an empty ring; other copies are left to the kernel stack, which has them.
/// </summary>
internal sealed unsafe class AfPacketReceiveQueue : IPdQueue, IDisposable
{
    private const int BlockSize = 64 * 1024;
    private static readonly long LivenessInterval = Stopwatch.Frequency / 1000;

    private readonly AfPacketProvider _provider;
    private readonly BufferPool _pool;
    private readonly Lock _lock = new();
    private readonly HandleFifo _posted;
    private readonly HandleFifo _completed;
    private readonly byte[] _scratch = GC.AllocateArray<byte>(BlockSize + 4, pinned: true);
    private readonly ReceiveQueueCounters _counters;
    private readonly Action _notify;
    private readonly int _blockCount;
    private PacketSocket? _socket;
    private int _block;
    private long _lastLivenessCheck;
    private bool _flushed;
    private bool _stopped;
    private WakeSignal? _armed;
    private long _setAside;

    public AfPacketReceiveQueue(AfPacketProvider provider, PdQueueParameters parameters, bool rss, SockFilter[] program)
    {
        _provider = provider;
        _pool = parameters.Pool;
        Parameters = parameters;
        Rss = rss;
        Capacity = parameters.QueueSize - 1;
        _posted = new HandleFifo(parameters.QueueSize);
        _completed = new HandleFifo(parameters.QueueSize);
        _counters = parameters.ReceiveCounters ?? new ReceiveQueueCounters();
        _notify = () => Interlocked.Exchange(ref _armed, null)?.Set();
        _blockCount = Math.Clamp(parameters.QueueSize * 2048 / BlockSize, 4, 64);
        _socket = provider.InNamespace(() => PacketSocket.Receive(provider.Adapter.Name, provider.IfIndex, BlockSize, _blockCount, program));
        provider.Notifier.Add(_socket.Fd, _notify);
    }

    /// <summary>Whether this is an acquired RSS queue: it takes the frames no filter matches.</summary>
    public bool Rss { get; }

    public PdQueueType Type => PdQueueType.Receive;

    /// <summary>Copies the socket filter let through that the classifier found were not this queue's (the kernel's share of a filter is wider than the whole).</summary>
    internal long SetAside => Volatile.Read(ref _setAside);

    public PdQueueParameters Parameters { get; }

    public int Capacity { get; }

    public int Outstanding
    {
        get
        {
            lock (_lock)
                return _posted.Count + _completed.Count;
        }
    }

    public bool IsStopped
    {
        get
        {
            lock (_lock)
                return _flushed || _stopped || _provider.Removed;
        }
    }

    public ReceiveQueueCounters ReceiveCounters
    {
        get
        {
            lock (_lock)
            {
                Harvest();
                if (_socket is { } socket)
                    Interlocked.Add(ref _counters.Drops, socket.TakeRingDrops());
            }
            return _counters;
        }
    }

    public TransmitQueueCounters TransmitCounters { get; } = new();

    public bool HasCompletions
    {
        get
        {
            lock (_lock)
            {
                Harvest();
                return _completed.Count > 0;
            }
        }
    }

    public PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain)
    {
        lock (_lock)
        {
            StopIfRemoved();
            var failed = _flushed || _stopped;
            var posted = 0;
            if (!failed)
            {
                posted = Math.Min(post.Length, Capacity - _posted.Count - _completed.Count);
                for (var i = 0; i < posted; i++)
                    _posted.Enqueue(post[i]);
                Harvest();
            }
            var drained = Math.Min(drain.Length, _completed.Count);
            for (var i = 0; i < drained; i++)
                drain[i] = _completed.Dequeue();
            if (drained == 0 && !failed)
                CheckLiveness();
            failed = _flushed || _stopped;
            var threshold = Parameters.DepthThreshold > 0 && _posted.Count < Parameters.DepthThreshold;
            return new PostAndDrainResult(posted, drained, threshold, failed);
        }
    }

    public int QueryQueueDepth()
    {
        lock (_lock)
            return _posted.Count;
    }

    public void FlushQueue()
    {
        lock (_lock)
        {
            if (_flushed)
                return;
            _flushed = true;
            Stop();
        }
    }

    /// <summary>PD's drain notification: fires once, at the next block the kernel retires (or at once if one waits); clears a pending ENETDOWN first.</summary>
    public void RequestDrainNotification(WakeSignal signal)
    {
        Volatile.Write(ref _armed, signal);
        lock (_lock)
        {
            if (_socket is not { } socket)
            {
                _notify();
                return;
            }
            if (socket.TakeError() != 0 && socket.DeviceGone)
                _provider.DeviceGone();
            _provider.Notifier.Arm(socket.Fd, Posix.EpollIn);
        }
    }

    /// <summary>Installs the queue's new socket filter.</summary>
    public void Attach(SockFilter[] program)
    {
        lock (_lock)
            _socket?.Attach(program);
    }

    /// <summary>Joins the adapter's RSS fanout group.</summary>
    public void JoinFanout(ushort group)
    {
        lock (_lock)
            _socket?.JoinFanout(group);
    }

    /// <summary>Closes the socket; buffers still held come back on the next drain.</summary>
    public void Dispose()
    {
        lock (_lock)
            Stop();
    }

    /// <summary>Walks every block the kernel has retired, taking each frame, and gives the blocks back.</summary>
    private void Harvest()
    {
        if (_socket is not { } socket)
            return;
        var table = _provider.Table;
        while (true)
        {
            var block = socket.Ring + (nint)_block * BlockSize;
            ref var status = ref Unsafe.AsRef<uint>(block + 8);
            if ((Volatile.Read(ref status) & PacketSys.TpStatusUser) == 0)
                return;
            var count = *(uint*)(block + 12);
            var frame = block + *(uint*)(block + 16);
            for (uint i = 0; i < count; i++)
            {
                Take(frame, table);
                frame += *(uint*)frame;
            }
            Volatile.Write(ref status, PacketSys.TpStatusKernel);
            _block = (_block + 1) % _blockCount;
        }
    }

    /// <summary>Copies one frame (header <paramref name="frame"/>) into a posted buffer, or the scratch area, and keeps it if it is this queue's.</summary>
    private void Take(byte* frame, AfPacketFilterTable table)
    {
        var captured = *(uint*)(frame + 12);
        var length = (int)*(uint*)(frame + 16);
        var status = *(uint*)(frame + 20);
        var data = frame + *(ushort*)(frame + 24);
        var tagged = (status & PacketSys.TpStatusVlanValid) != 0;
        var whole = length + (tagged ? 4 : 0);
        var headroom = Parameters.ReceiveHeadroom;
        var buffered = _posted.Count > 0 && headroom + whole <= _pool.BufferSize;
        if (captured < length || (!buffered && whole > _scratch.Length))
        {
            Interlocked.Increment(ref _counters.Drops);
            return;
        }
        var target = buffered ? _pool.Buffer(_posted.Peek()).Slice(headroom, whole) : _scratch.AsSpan(0, whole);
        var source = new ReadOnlySpan<byte>(data, length);
        if (tagged)
        {
            var tpid = (status & PacketSys.TpStatusVlanTpidValid) != 0 ? *(ushort*)(frame + 36) : EtherType.Vlan;
            source[..12].CopyTo(target);
            target[12] = (byte)(tpid >> 8);
            target[13] = (byte)tpid;
            var tci = *(uint*)(frame + 32);
            target[14] = (byte)(tci >> 8);
            target[15] = (byte)tci;
            source[12..].CopyTo(target[16..]);
        }
        else
        {
            source.CopyTo(target);
        }

        var info = default(PacketInfo);
        PacketParser.Parse(target, ref info);
        var rule = table.Classifier.Classify(in info.Key);
        PdReceiveFilter? filter = null;
        if (rule >= 0)
        {
            filter = table.Filters[rule];
            if (filter.Parameters.TargetReceiveQueue != this)
            {
                _setAside++;
                return;
            }
            Interlocked.Increment(ref filter.Counters.Packets);
            Interlocked.Add(ref filter.Counters.Bytes, whole);
        }
        else if (!Rss)
        {
            _setAside++;
            return;
        }
        if (!buffered)
        {
            Interlocked.Increment(ref _counters.Drops);
            return;
        }
        var handle = _posted.Dequeue();
        ref var d = ref _pool.Descriptor(handle);
        d.DataStart = headroom;
        d.DataLength = whole;
        d.Flags = filter is null ? BufferFlags.None : BufferFlags.FilterMatched;
        d.RxFilterContext = filter?.Parameters.RxFilterContext ?? 0;
        d.RxHashValue = 0;
        _completed.Enqueue(handle);
        Interlocked.Increment(ref _counters.Packets);
        Interlocked.Add(ref _counters.Bytes, whole);
    }

    private void CheckLiveness()
    {
        var now = Stopwatch.GetTimestamp();
        if (now - _lastLivenessCheck < LivenessInterval || _socket is not { } socket)
            return;
        _lastLivenessCheck = now;
        if (socket.DeviceGone)
        {
            _provider.DeviceGone();
            StopIfRemoved();
        }
    }

    private void StopIfRemoved()
    {
        if (_provider.Removed && !_stopped)
            Stop();
    }

    /// <summary>Closes the socket and completes every posted buffer as flushed. Called with the lock held.</summary>
    private void Stop()
    {
        _stopped = true;
        if (_socket is { } socket)
        {
            _provider.Notifier.Remove(socket.Fd);
            socket.Dispose();
            _socket = null;
        }
        while (_posted.Count > 0)
        {
            var handle = _posted.Dequeue();
            ref var d = ref _pool.Descriptor(handle);
            d.DataLength = 0;
            d.Flags = BufferFlags.Flushed;
            d.RxFilterContext = 0;
            _completed.Enqueue(handle);
        }
        _notify();
    }
}
