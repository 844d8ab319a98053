using System.Runtime.CompilerServices;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;
using PdCluster.Concurrency;
using PdCluster.Queues.Rings;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// One hardware queue of a <see cref="SoftNic"/>: a posted ring the client fills and the device consumes, and a
/// completion ring the device fills and the client drains. Calls on one queue come from one client thread.
/// </summary>
public sealed class SoftNicQueue : IDrainNotificationSource
{
    private const int Active = 0;
    private const int Flushed = 1;
    private const int Failed = 2;

    private readonly SoftNic _nic;
    private readonly SpscRing<int> _posted;
    private readonly SpscRing<int> _completed;
    private int _outstanding;
    private int _state;
    private int _armed;
    private int _completionsSinceArm;
    private WakeSignal? _signal;

    /// <summary>Where this queue is in the line's frames (<see cref="SoftNic.LineRate"/>); touched only by its poll.</summary>
    internal int LineCursor;

    internal SoftNicQueue(SoftNic nic, int index, QueueOptions options)
    {
        if (options.Slots < 2 || !int.IsPow2(options.Slots))
            throw new ArgumentOutOfRangeException(nameof(options), options.Slots, "Queue size must be a power of two of at least 2 slots (it holds one less).");
        if (options.Slots > nic.Info.MaxQueueSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.Slots, $"Queue size is above the adapter's maximum of {nic.Info.MaxQueueSize}.");
        if (options.Kind == QueueKind.Receive && (options.Headroom < 32 || options.Headroom > options.Pool.BufferSize - 64))
            throw new ArgumentOutOfRangeException(nameof(options), options.Headroom, "Receive headroom must be at least 32 bytes and leave room for a frame.");
        _nic = nic;
        Index = index;
        Options = options;
        _posted = new SpscRing<int>(options.Slots);
        _completed = new SpscRing<int>(options.Slots);
        ReceiveCounters = options.ReceiveCounters ?? new ReceiveQueueCounters();
        TransmitCounters = options.TransmitCounters ?? new TransmitQueueCounters();
    }

    /// <summary>Receive or transmit.</summary>
    public QueueKind Kind => Options.Kind;

    /// <summary>Hardware queue number on the adapter.</summary>
    public int Index { get; }

    /// <summary>The parameters the queue was allocated with.</summary>
    public QueueOptions Options { get; }

    /// <summary>Most buffers the queue holds at once (posted plus completed, not yet drained).</summary>
    public int Capacity => _posted.Capacity;

    /// <summary>Buffers the client has posted and not yet drained back.</summary>
    public int Outstanding => _outstanding;

    /// <summary>RX: posted buffers still free for incoming packets. TX: posted buffers not yet sent.</summary>
    public int Depth => _posted.Count;

    /// <summary>Whether the queue has failed (device removed); it only gives back buffers now.</summary>
    public bool IsFailed => Volatile.Read(ref _state) == Failed;

    /// <summary>Whether the queue was flushed or failed: no more posts are taken.</summary>
    public bool IsStopped => Volatile.Read(ref _state) != Active;

    /// <summary>Counters of a receive queue.</summary>
    public ReceiveQueueCounters ReceiveCounters { get; }

    /// <summary>Counters of a transmit queue.</summary>
    public TransmitQueueCounters TransmitCounters { get; }

    /// <summary>The pool posted buffers come from.</summary>
    public BufferPool Pool => Options.Pool;

    /// <inheritdoc/>
    public bool HasCompletions => _completed.Count > 0;

    /// <summary>
    /// PD's one data-path call: posts buffers from the head of <paramref name="post"/> until it is empty or the ring is
    /// full, then drains up to <c>drain.Length</c> completed buffers into <paramref name="drain"/>.
    /// </summary>
    public PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain)
    {
        var posted = 0;
        if (Volatile.Read(ref _state) == Active)
        {
            if (!post.IsEmpty)
            {
                var room = Capacity - _outstanding;
                posted = _posted.TryEnqueue(post[..Math.Min(room, post.Length)]);
                _outstanding += posted;
                if (posted > 0 && Kind == QueueKind.Transmit)
                    _nic.Transmit(this);
            }
            if (Kind == QueueKind.Receive && !drain.IsEmpty && _nic.LineRate is { } line)
                _nic.ReceiveLineRate(this, line, drain.Length);
        }
        else
        {
            _nic.Reclaim(this);
        }

        var drained = drain.IsEmpty ? 0 : _completed.TryDequeue(drain);
        _outstanding -= drained;
        var depth = _posted.Count;
        var threshold = Options.DepthThreshold > 0
            && (Kind == QueueKind.Receive ? depth < Options.DepthThreshold : depth > Options.DepthThreshold);
        return new PostAndDrainResult(posted, drained, threshold, Volatile.Read(ref _state) != Active);
    }

    /// <summary>PD's FlushQueue: every posted buffer completes soon (RX ones empty and flagged flushed); no more posts afterwards.</summary>
    public void Flush()
    {
        Interlocked.CompareExchange(ref _state, Flushed, Active);
        _nic.Reclaim(this);
    }

    /// <inheritdoc/>
    public void RequestDrainNotification(WakeSignal signal)
    {
        _signal = signal;
        Volatile.Write(ref _completionsSinceArm, 0);
        Volatile.Write(ref _armed, 1);
    }

    internal void Fail()
    {
        Volatile.Write(ref _state, Failed);
        _nic.Reclaim(this);
    }

    /// <summary>Device side: the next posted buffer, or -1 if the client posted none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int TakePosted() => _posted.TryDequeue(out var handle) ? handle : -1;

    /// <summary>Device side: takes up to <c>into.Length</c> posted buffers; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int TakePosted(Span<int> into) => _posted.TryDequeue(into);

    /// <summary>Device side: hands buffers back to the client in one publish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Complete(ReadOnlySpan<int> handles)
    {
        _completed.TryEnqueue(handles);
        if (Volatile.Read(ref _armed) != 0)
            Notify(handles.Length);
    }

    /// <summary>Device side: hands a buffer back to the client.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Complete(int handle)
    {
        _completed.TryEnqueue(handle);
        if (Volatile.Read(ref _armed) != 0)
            Notify(1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Notify(int completions)
    {
        if (Interlocked.Add(ref _completionsSinceArm, completions) >= Options.ModerationCount
            && Interlocked.Exchange(ref _armed, 0) == 1)
            _signal?.Set();
    }
}
