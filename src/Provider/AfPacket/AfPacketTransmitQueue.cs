using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PdCluster.Concurrency;
using PdCluster.Nic.Counters;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// A PD transmit queue as one AF_PACKET socket with a TPACKET_V2 TX ring of QueueSize frames: a posted buffer is copied
/// into the next frame and handed to the kernel (one non-blocking send kicks the ring); it completes when the kernel
/// gives its frame back. A packet larger than a frame completes at once, counted as dropped.
/// </summary>
internal sealed unsafe class AfPacketTransmitQueue : IPdQueue, IDisposable
{
    private readonly AfPacketProvider _provider;
    private readonly BufferPool _pool;
    private readonly Lock _lock = new();
    private readonly int[] _inFlight;
    private readonly HandleFifo _completed;
    private readonly TransmitQueueCounters _counters;
    private readonly Action _notify;
    private PacketSocket? _socket;
    private int _head;
    private int _tail;
    private bool _flushed;
    private bool _stopped;
    private WakeSignal? _armed;

    public AfPacketTransmitQueue(AfPacketProvider provider, PdQueueParameters parameters)
    {
        _provider = provider;
        _pool = parameters.Pool;
        Parameters = parameters;
        Capacity = parameters.QueueSize - 1;
        _inFlight = new int[parameters.QueueSize];
        _completed = new HandleFifo(parameters.QueueSize);
        _counters = parameters.TransmitCounters ?? new TransmitQueueCounters();
        _notify = () => Interlocked.Exchange(ref _armed, null)?.Set();
        _socket = provider.InNamespace(() => PacketSocket.Transmit(provider.Adapter.Name, provider.IfIndex, parameters.QueueSize));
        provider.Notifier.Add(_socket.Fd, _notify);
    }

    public PdQueueType Type => PdQueueType.Transmit;

    public PdQueueParameters Parameters { get; }

    public int Capacity { get; }

    public int Outstanding
    {
        get
        {
            lock (_lock)
                return InFlight + _completed.Count;
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

    public ReceiveQueueCounters ReceiveCounters { get; } = new();

    public TransmitQueueCounters TransmitCounters => _counters;

    public bool HasCompletions
    {
        get
        {
            lock (_lock)
            {
                Reap();
                return _completed.Count > 0;
            }
        }
    }

    private int InFlight => (_head - _tail + _inFlight.Length) % _inFlight.Length;

    public PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain)
    {
        lock (_lock)
        {
            if (_provider.Removed && !_stopped)
                Stop();
            var failed = _flushed || _stopped;
            var posted = 0;
            if (!failed && _socket is { } socket)
            {
                posted = Math.Min(post.Length, Capacity - InFlight - _completed.Count);
                for (var i = 0; i < posted; i++)
                    Send(socket, post[i]);
                if (posted > 0 || InFlight > 0)
                    Kick(socket);
            }
            Reap();
            var drained = Math.Min(drain.Length, _completed.Count);
            for (var i = 0; i < drained; i++)
                drain[i] = _completed.Dequeue();
            failed = _flushed || _stopped;
            var threshold = Parameters.DepthThreshold > 0 && InFlight > Parameters.DepthThreshold;
            return new PostAndDrainResult(posted, drained, threshold, failed);
        }
    }

    public int QueryQueueDepth()
    {
        lock (_lock)
            return InFlight;
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

    /// <summary>PD's drain notification: fires once when the kernel gives a frame back (nothing is armed while none is in flight).</summary>
    public void RequestDrainNotification(WakeSignal signal)
    {
        Volatile.Write(ref _armed, signal);
        lock (_lock)
        {
            if (_socket is not { } socket || _completed.Count > 0)
                _notify();
            else if (InFlight > 0)
                _provider.Notifier.Arm(socket.Fd, PacketSys.EpollOut);
        }
    }

    public void Dispose()
    {
        lock (_lock)
            Stop();
    }

    private void Send(PacketSocket socket, int handle)
    {
        ref var d = ref _pool.Descriptor(handle);
        if (d.DataLength > PacketSocket.TransmitFrameSize - PacketSocket.TransmitDataOffset || d.DataLength <= 0)
        {
            Interlocked.Increment(ref _counters.Drops);
            _completed.Enqueue(handle);
            return;
        }
        var frame = socket.Ring + (nint)_head * PacketSocket.TransmitFrameSize;
        _pool.Packet(handle).CopyTo(new Span<byte>(frame + PacketSocket.TransmitDataOffset, d.DataLength));
        *(uint*)(frame + 4) = (uint)d.DataLength;
        Volatile.Write(ref Unsafe.AsRef<uint>(frame), PacketSys.TpStatusSendRequest);
        _inFlight[_head] = handle;
        _head = (_head + 1) % _inFlight.Length;
    }

    /// <summary>Asks the kernel to send the requested frames; a device gone (or down and gone) stops the adapter's queues.</summary>
    private void Kick(PacketSocket socket)
    {
        if (Posix.sendto(socket.Fd, null, 0, Posix.MsgDontWait, null, 0) >= 0)
            return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is Posix.Enxio or Posix.Enodev || (errno == Posix.Enetdown && socket.DeviceGone))
        {
            _provider.DeviceGone();
            Stop();
        }
    }

    /// <summary>Completes, oldest first, the frames the kernel has given back.</summary>
    private void Reap()
    {
        if (_socket is not { } socket)
            return;
        while (_tail != _head)
        {
            var frame = socket.Ring + (nint)_tail * PacketSocket.TransmitFrameSize;
            ref var status = ref Unsafe.AsRef<uint>(frame);
            var s = Volatile.Read(ref status);
            if (s is not (PacketSys.TpStatusAvailable or PacketSys.TpStatusWrongFormat))
                return;
            var handle = _inFlight[_tail];
            if (s == PacketSys.TpStatusWrongFormat)
            {
                Volatile.Write(ref status, PacketSys.TpStatusAvailable);
                Interlocked.Increment(ref _counters.Drops);
            }
            else
            {
                Interlocked.Increment(ref _counters.Packets);
                Interlocked.Add(ref _counters.Bytes, _pool.Descriptor(handle).DataLength);
            }
            _completed.Enqueue(handle);
            _tail = (_tail + 1) % _inFlight.Length;
        }
    }

    /// <summary>Completes what was sent, then every frame still in flight as flushed (its packet was copied: the buffer is free), and closes the socket.</summary>
    private void Stop()
    {
        _stopped = true;
        Reap();
        if (_socket is { } socket)
        {
            _provider.Notifier.Remove(socket.Fd);
            socket.Dispose();
            _socket = null;
        }
        for (; _tail != _head; _tail = (_tail + 1) % _inFlight.Length)
        {
            var handle = _inFlight[_tail];
            ref var d = ref _pool.Descriptor(handle);
            d.Flags = BufferFlags.Flushed;
            _completed.Enqueue(handle);
        }
        _notify();
    }
}
