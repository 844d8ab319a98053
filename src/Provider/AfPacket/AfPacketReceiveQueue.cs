using System.Diagnostics;
using System.Runtime.CompilerServices;
using PdCluster.Concurrency;
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
internal sealed unsafe class AfPacketReceiveQueue : AfPacketQueue
{
    /// <summary>One page per block: the kernel retires a block after 1 ms even with one frame in it, so with a block per ring slot the ring holds a queue's worth of frames however sparse the traffic.</summary>
    private const int BlockSize = 4096;
    private static readonly long LivenessInterval = Stopwatch.Frequency / 1000;

    private readonly HandleFifo _posted;
    private readonly byte[] _scratch = GC.AllocateArray<byte>(BlockSize + 4, pinned: true);
    private readonly ReceiveQueueCounters _counters;
    private readonly int _blockCount;
    private int _block;
    private long _lastLivenessCheck;
    private long _setAside;

    public AfPacketReceiveQueue(AfPacketProvider provider, PdQueueParameters parameters, bool rss, SockFilter[] program)
        : base(provider, parameters, () => PacketSocket.Receive(provider.Adapter.Name, provider.IfIndex, BlockSize, BlockCount(parameters), program))
    {
        Rss = rss;
        _posted = new HandleFifo(parameters.QueueSize);
        _counters = parameters.ReceiveCounters ?? new ReceiveQueueCounters();
        _blockCount = BlockCount(parameters);
    }

    /// <summary>Whether this is an acquired RSS queue: it takes the frames no filter matches.</summary>
    public bool Rss { get; }

    public override PdQueueType Type => PdQueueType.Receive;

    /// <summary>Copies the socket filter let through that the classifier found were not this queue's (the kernel's share of a filter is wider than the whole).</summary>
    internal long SetAside => Volatile.Read(ref _setAside);

    public override ReceiveQueueCounters ReceiveCounters
    {
        get
        {
            lock (Lock)
            {
                Harvest();
                if (Socket is { } socket)
                    Interlocked.Add(ref _counters.Drops, socket.TakeRingDrops());
            }
            return _counters;
        }
    }

    public override bool HasCompletions
    {
        get
        {
            lock (Lock)
            {
                Harvest();
                return Completed.Count > 0;
            }
        }
    }

    protected override int Held => _posted.Count;

    public override PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain)
    {
        lock (Lock)
        {
            StopIfRemoved();
            var failed = Flushed || Stopped;
            var posted = 0;
            if (!failed)
            {
                posted = Math.Min(post.Length, Capacity - _posted.Count - Completed.Count);
                for (var i = 0; i < posted; i++)
                    _posted.Enqueue(post[i]);
                Harvest();
            }
            var drained = DrainCompleted(drain);
            if (drained == 0 && !failed)
                CheckLiveness();
            failed = Flushed || Stopped;
            var threshold = Parameters.DepthThreshold > 0 && _posted.Count < Parameters.DepthThreshold;
            return new PostAndDrainResult(posted, drained, threshold, failed);
        }
    }

    public override int QueryQueueDepth()
    {
        lock (Lock)
            return _posted.Count;
    }

    /// <summary>Installs the queue's new socket filter.</summary>
    public void Attach(SockFilter[] program)
    {
        lock (Lock)
            Socket?.Attach(program);
    }

    /// <summary>Joins the adapter's RSS fanout group.</summary>
    public void JoinFanout(ushort group)
    {
        lock (Lock)
            Socket?.JoinFanout(group);
    }

    /// <summary>Readable when the kernel retires a block; a pending ENETDOWN is cleared first, and read as removal when the interface is gone.</summary>
    protected override void Arm(PacketSocket socket, WakeSignal signal)
    {
        if (socket.TakeError() != 0 && socket.DeviceGone)
            Provider.DeviceGone();
        signal.Watch(socket.Fd, PollEvents.In);
    }

    protected override void Release()
    {
        while (_posted.Count > 0)
            CompleteFlushed(_posted.Dequeue());
    }

    private static int BlockCount(PdQueueParameters parameters) => Math.Clamp(parameters.QueueSize, 8, 1024);

    /// <summary>Walks every block the kernel has retired, taking each frame, and gives the blocks back.</summary>
    private void Harvest()
    {
        if (Socket is not { } socket)
            return;
        var table = Provider.Table;
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
        var buffered = _posted.Count > 0 && headroom + whole <= Pool.BufferSize;
        if (captured < length || (!buffered && whole > _scratch.Length))
        {
            Interlocked.Increment(ref _counters.Drops);
            return;
        }
        var target = buffered ? Pool.Buffer(_posted.Peek()).Slice(headroom, whole) : _scratch.AsSpan(0, whole);
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
        ref var d = ref Pool.Descriptor(handle);
        d.DataStart = headroom;
        d.DataLength = whole;
        d.Flags = filter is null ? BufferFlags.None : BufferFlags.FilterMatched;
        d.RxFilterContext = filter?.Parameters.RxFilterContext ?? 0;
        d.RxHashValue = 0;
        Completed.Enqueue(handle);
        Interlocked.Increment(ref _counters.Packets);
        Interlocked.Add(ref _counters.Bytes, whole);
    }

    private void CheckLiveness()
    {
        var now = Stopwatch.GetTimestamp();
        if (now - _lastLivenessCheck < LivenessInterval || Socket is not { } socket)
            return;
        _lastLivenessCheck = now;
        if (socket.DeviceGone)
        {
            Provider.DeviceGone();
            StopIfRemoved();
        }
    }
}
