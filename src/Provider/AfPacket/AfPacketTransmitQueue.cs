using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PdCluster.Concurrency;
using PdCluster.Nic.Counters;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// A PD transmit queue as one AF_PACKET socket with a TPACKET_V2 TX ring of QueueSize frames: a posted buffer is copied
/// into the next frame and handed to the kernel (one non-blocking send kicks the ring); it completes when the kernel
/// gives its frame back. A packet larger than a frame completes at once, counted as dropped.
/// </summary>
internal sealed unsafe class AfPacketTransmitQueue : AfPacketQueue
{
    private readonly int[] _inFlight;
    private readonly TransmitQueueCounters _counters;
    private int _head;
    private int _tail;

    public AfPacketTransmitQueue(AfPacketProvider provider, PdQueueParameters parameters)
        : base(provider, parameters, () => PacketSocket.Transmit(provider.Adapter.Name, provider.IfIndex, parameters.QueueSize))
    {
        _inFlight = new int[parameters.QueueSize];
        _counters = parameters.TransmitCounters ?? new TransmitQueueCounters();
    }

    public override PdQueueType Type => PdQueueType.Transmit;

    public override TransmitQueueCounters TransmitCounters => _counters;

    public override bool HasCompletions
    {
        get
        {
            lock (Lock)
            {
                Reap();
                return Completed.Count > 0;
            }
        }
    }

    protected override int Held => (_head - _tail + _inFlight.Length) % _inFlight.Length;

    public override PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain)
    {
        lock (Lock)
        {
            StopIfRemoved();
            var failed = Flushed || Stopped;
            var posted = 0;
            if (!failed && Socket is { } socket)
            {
                posted = Math.Min(post.Length, Capacity - Held - Completed.Count);
                for (var i = 0; i < posted; i++)
                    Send(socket, post[i]);
                if (Held > 0)
                    Kick(socket);
            }
            Reap();
            var drained = DrainCompleted(drain);
            failed = Flushed || Stopped;
            var threshold = Parameters.DepthThreshold > 0 && Held > Parameters.DepthThreshold;
            return new PostAndDrainResult(posted, drained, threshold, failed);
        }
    }

    public override int QueryQueueDepth()
    {
        lock (Lock)
            return Held;
    }

    /// <summary>Writable when the kernel gives a frame back; nothing is armed while none is in flight.</summary>
    protected override void Arm(PacketSocket socket, WakeSignal signal)
    {
        if (Held > 0)
            signal.Watch(socket.Fd, PollEvents.Out);
    }

    /// <summary>Completes what was sent, then every frame still in flight as flushed (its packet was copied: the buffer is free).</summary>
    protected override void Release()
    {
        Reap();
        for (; _tail != _head; _tail = (_tail + 1) % _inFlight.Length)
            CompleteFlushed(_inFlight[_tail]);
    }

    private void Send(PacketSocket socket, int handle)
    {
        ref var d = ref Pool.Descriptor(handle);
        if (d.DataLength > PacketSocket.TransmitFrameSize - PacketSocket.TransmitDataOffset || d.DataLength <= 0)
        {
            Interlocked.Increment(ref _counters.Drops);
            Completed.Enqueue(handle);
            return;
        }
        var frame = socket.Ring + (nint)_head * PacketSocket.TransmitFrameSize;
        Pool.Packet(handle).CopyTo(new Span<byte>(frame + PacketSocket.TransmitDataOffset, d.DataLength));
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
            Provider.DeviceGone();
            Stop();
        }
    }

    /// <summary>Completes, oldest first, the frames the kernel has given back.</summary>
    private void Reap()
    {
        if (Socket is not { } socket)
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
                Interlocked.Add(ref _counters.Bytes, Pool.Descriptor(handle).DataLength);
            }
            Completed.Enqueue(handle);
            _tail = (_tail + 1) % _inFlight.Length;
        }
    }
}
