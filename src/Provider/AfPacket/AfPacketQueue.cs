using PdCluster.Concurrency;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// What both kinds of AF_PACKET queue share: one socket, a lock that serializes the client thread with counter
/// readers, completed buffers waiting to be drained, and the stop that closes the socket (flush, device gone, free).
/// </summary>
internal abstract class AfPacketQueue : IPdQueue, IDisposable
{
    private WakeSignal? _armed;

    protected AfPacketQueue(AfPacketProvider provider, PdQueueParameters parameters, Func<PacketSocket> open)
    {
        Provider = provider;
        Pool = parameters.Pool;
        Parameters = parameters;
        Capacity = parameters.QueueSize - 1;
        Completed = new HandleFifo(parameters.QueueSize);
        NotifyArmed = () => Interlocked.Exchange(ref _armed, null)?.Set();
        Socket = provider.InNamespace(open);
    }

    public abstract PdQueueType Type { get; }

    public PdQueueParameters Parameters { get; }

    public int Capacity { get; }

    public int Outstanding
    {
        get
        {
            lock (Lock)
                return Held + Completed.Count;
        }
    }

    public bool IsStopped
    {
        get
        {
            lock (Lock)
                return Flushed || Stopped || Provider.Removed;
        }
    }

    public virtual ReceiveQueueCounters ReceiveCounters { get; } = new();

    public virtual TransmitQueueCounters TransmitCounters { get; } = new();

    public abstract bool HasCompletions { get; }

    protected AfPacketProvider Provider { get; }

    protected BufferPool Pool { get; }

    protected Lock Lock { get; } = new();

    /// <summary>Buffers completed and not yet drained.</summary>
    protected HandleFifo Completed { get; }

    /// <summary>Sets the armed drain-notification signal once: the queue stopped, or it holds completions already.</summary>
    protected Action NotifyArmed { get; }

    /// <summary>The socket, until the queue stops.</summary>
    protected PacketSocket? Socket { get; private set; }

    protected bool Flushed { get; private set; }

    protected bool Stopped { get; private set; }

    /// <summary>Buffers the queue holds that are not completed yet (posted, or in flight).</summary>
    protected abstract int Held { get; }

    public abstract PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain);

    public abstract int QueryQueueDepth();

    public void FlushQueue()
    {
        lock (Lock)
        {
            if (Flushed)
                return;
            Flushed = true;
            Stop();
        }
    }

    /// <summary>
    /// Arms PD's drain notification: the signal watches the socket for the readiness <see cref="Arm"/> names, so the
    /// poller's own wait sleeps on it; a queue that stops meanwhile (flush, device gone) sets the signal.
    /// </summary>
    public void RequestDrainNotification(WakeSignal signal)
    {
        Volatile.Write(ref _armed, signal);
        lock (Lock)
        {
            if (Socket is not { } socket || Completed.Count > 0)
                NotifyArmed();
            else
                Arm(socket, signal);
        }
    }

    /// <summary>Closes the socket; buffers still held come back on the next drain.</summary>
    public void Dispose()
    {
        lock (Lock)
            Stop();
    }

    /// <summary>Has <paramref name="signal"/> watch the socket's readiness that means a completion is coming. Called with the lock held.</summary>
    protected abstract void Arm(PacketSocket socket, WakeSignal signal);

    /// <summary>Hands back what the kernel completed, then every buffer still held, flagged flushed. Called with the lock held.</summary>
    protected abstract void Release();

    /// <summary>Stops the queue if a socket found the device gone. Called with the lock held.</summary>
    protected void StopIfRemoved()
    {
        if (Provider.Removed && !Stopped)
            Stop();
    }

    /// <summary>Drains up to <paramref name="drain"/>'s length of completed buffers.</summary>
    protected int DrainCompleted(Span<int> drain)
    {
        var drained = Math.Min(drain.Length, Completed.Count);
        for (var i = 0; i < drained; i++)
            drain[i] = Completed.Dequeue();
        return drained;
    }

    /// <summary>Completes <paramref name="handle"/> without data, flagged flushed.</summary>
    protected void CompleteFlushed(int handle)
    {
        ref var d = ref Pool.Descriptor(handle);
        d.DataLength = 0;
        d.Flags = BufferFlags.Flushed;
        d.RxFilterContext = 0;
        Completed.Enqueue(handle);
    }

    /// <summary>Releases every buffer and closes the socket. Called with the lock held.</summary>
    protected void Stop()
    {
        Stopped = true;
        Release();
        if (Socket is { } socket)
        {
            socket.Dispose();
            Socket = null;
        }
        NotifyArmed();
    }
}
