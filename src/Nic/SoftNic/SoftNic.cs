using System.Runtime.CompilerServices;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// A simulated ConnectX-3 Pro Ethernet port. Incoming frames meet the PD receive-filter table first; a match goes to
/// the filter's queue, anything else is spread by RSS (Toeplitz, 128-entry indirection table) to the RSS queues if a
/// PD client acquired them, or else to the OS path. A frame for a queue with no posted buffer is dropped and counted,
/// as real hardware does. Link, admin and power state gate traffic; surprise removal fails every queue and hands every
/// posted buffer back, flagged flushed.
/// </summary>
/// <remarks>
/// The device side runs on whichever thread delivers frames (a peer's transmit through a <see cref="Wire"/>):
/// one delivering thread at a time holds the port's ingress, like the NIC's single receive engine.
/// </remarks>
public sealed class SoftNic : IDeviceEventSource, IDeviceEventInjector
{
    private const int IndirectionEntries = 128;

    private readonly Lock _control = new();
    private readonly SoftNicQueue?[] _receiveQueues;
    private readonly SoftNicQueue?[] _transmitQueues;
    private readonly List<Filter> _filters = [];
    private FilterTable _filterTable = FilterTable.Empty;
    private SoftNicQueue[] _rssQueues = [];
    private readonly byte[] _indirection = new byte[IndirectionEntries];
    private Action<DeviceEvent>[] _handlers = [];
    private int _nextFilterId = 1;
    private int _ingressBusy;
    private PacketInfo _scratch;

    private volatile bool _linkUp = true;
    private volatile bool _enabled = true;
    private volatile bool _fullPower = true;
    private volatile bool _present = true;

    private long _osPathPackets;
    private long _reinjectedPackets;
    private long _notReadyDrops;
    private long _noBufferDrops;
    private long _filterTableCompilations;

    /// <summary>Creates a port described by <paramref name="info"/>, link up, enabled, at full power.</summary>
    public SoftNic(AdapterInfo info)
    {
        Info = info;
        _receiveQueues = new SoftNicQueue?[info.MaxReceiveQueues];
        _transmitQueues = new SoftNicQueue?[info.MaxTransmitQueues];
    }

    /// <summary>What this port reports about itself.</summary>
    public AdapterInfo Info { get; }

    /// <summary>The wire this port is plugged into, if any.</summary>
    public Wire? Wire { get; internal set; }

    /// <summary>
    /// The normal receive path: frames no filter matched and no PD queue owned, and frames a PD client reinjected.
    /// Null drops them (still counted). Called from the wire's thread and from queue threads, possibly at once.
    /// </summary>
    public OsPathHandler? OsPath { get; set; }

    /// <summary>While set, every poll of a receive queue fills what it can drain from this source (see <see cref="LineRateSource"/>).</summary>
    public LineRateSource? LineRate { get; set; }

    /// <summary>Frames handed to the OS path: unmatched ones plus reinjected ones.</summary>
    public long OsPathPackets => Volatile.Read(ref _osPathPackets);

    /// <summary>Frames a PD client handed back to the OS path (<see cref="Reinject"/>).</summary>
    public long ReinjectedPackets => Volatile.Read(ref _reinjectedPackets);

    /// <summary>Frames that arrived while the port could not receive (link down, disabled, low power, removed).</summary>
    public long NotReadyDrops => Volatile.Read(ref _notReadyDrops);

    /// <summary>Frames dropped because their queue had no posted buffer (sum over queues).</summary>
    public long NoBufferDrops => Volatile.Read(ref _noBufferDrops);

    /// <summary>
    /// Whether the port computes the RSS hash of every frame it delivers (ethtool's rxhash). With it off, a port with
    /// no filters and one RSS queue delivers frames without looking at them, as test equipment does.
    /// </summary>
    public bool ReceiveHashing { get; set; } = true;

    /// <summary>Whether the link is up.</summary>
    public bool LinkUp => _linkUp;

    /// <summary>Whether the port is administratively enabled.</summary>
    public bool Enabled => _enabled;

    /// <summary>Whether the port is in D0.</summary>
    public bool FullPower => _fullPower;

    /// <summary>Whether the device is present (false after surprise removal until arrival).</summary>
    public bool Present => _present;

    /// <inheritdoc/>
    public DeviceState Current => new(_linkUp, _enabled, _fullPower, _present);

    /// <summary>Whether frames flow: present, enabled, powered, link up.</summary>
    public bool IsOperational => _present && _enabled && _fullPower && _linkUp;

    /// <summary>Allocates a hardware queue; fails when the adapter has none left of that kind or is not present.</summary>
    public SoftNicQueue AllocateQueue(QueueOptions options)
    {
        lock (_control)
        {
            if (!_present)
                throw new InvalidOperationException($"{Info.Name} is not present.");
            var table = options.Kind == QueueKind.Receive ? _receiveQueues : _transmitQueues;
            var index = Array.IndexOf(table, null);
            if (index < 0)
                throw new InvalidOperationException($"{Info.Name} has no free {options.Kind.ToString().ToLowerInvariant()} queue (maximum {table.Length}).");
            var queue = new SoftNicQueue(this, index, options);
            table[index] = queue;
            return queue;
        }
    }

    /// <summary>Releases a hardware queue's slot. The caller checks PD's preconditions (empty, no filter targets it).</summary>
    public void FreeQueue(SoftNicQueue queue)
    {
        lock (_control)
        {
            var table = queue.Kind == QueueKind.Receive ? _receiveQueues : _transmitQueues;
            if (table[queue.Index] == queue)
                table[queue.Index] = null;
            if (Array.IndexOf(_rssQueues, queue) >= 0)
                SetRssQueues(_rssQueues.Where(q => q != queue).ToArray());
        }
    }

    /// <summary>Whether any installed filter steers to <paramref name="queue"/>.</summary>
    public bool IsFilterTarget(SoftNicQueue queue)
    {
        lock (_control)
            return _filters.Any(f => f.Target == queue);
    }

    /// <summary>Installs a receive filter steering matches to <paramref name="target"/>; returns its id.</summary>
    public int SetFilter(ClassifierRule rule, SoftNicQueue target, ulong context, FilterCounters counters) =>
        UpdateFilters([], [new SoftNicFilter(rule, target, context, counters)])[0];

    /// <summary>Removes a receive filter; no new packet matches it once this returns. Returns false for an unknown id.</summary>
    public bool ClearFilter(int id)
    {
        lock (_control)
        {
            if (!_filters.Exists(f => f.Id == id))
                return false;
            UpdateFilters([id], []);
            return true;
        }
    }

    /// <summary>
    /// Removes the filters <paramref name="clear"/> names (unknown ids are ignored) and installs <paramref name="set"/>,
    /// compiling the filter table once for the whole change; returns the new filters' ids in the order of
    /// <paramref name="set"/>. A malformed filter, or a set while the device is not present, throws before anything
    /// changes. Once this returns no new packet matches a removed filter.
    /// </summary>
    public int[] UpdateFilters(IReadOnlyCollection<int> clear, IReadOnlyList<SoftNicFilter> set)
    {
        foreach (var filter in set)
        {
            if (filter.Target.Kind != QueueKind.Receive)
                throw new ArgumentException("A receive filter targets a receive queue.", nameof(set));
            filter.Rule.Validate();
        }
        lock (_control)
        {
            if (set.Count > 0 && !_present)
                throw new InvalidOperationException($"{Info.Name} is not present.");
            var removed = new HashSet<int>(clear);
            var cleared = removed.Count == 0 ? 0 : _filters.RemoveAll(f => removed.Contains(f.Id));
            var ids = new int[set.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                var filter = set[i];
                ids[i] = _nextFilterId++;
                _filters.Add(new Filter(ids[i], filter.Rule, filter.Target, filter.Context, filter.Counters));
            }
            if (cleared > 0 || ids.Length > 0)
                Publish();
            return ids;
        }
    }

    /// <summary>How many times the receive-filter table was compiled: once per change, however many filters it sets or clears.</summary>
    public long FilterTableCompilations => Interlocked.Read(ref _filterTableCompilations);

    /// <summary>Installed filters.</summary>
    public int FilterCount
    {
        get
        {
            lock (_control)
                return _filters.Count;
        }
    }

    /// <summary>
    /// Gives RSS to PD: traffic no filter matches is spread over <paramref name="queues"/> instead of the OS path
    /// (PD's AcquireReceiveQueues). An empty list hands RSS back to the OS.
    /// </summary>
    public void SetRssQueues(IReadOnlyList<SoftNicQueue> queues)
    {
        lock (_control)
        {
            var array = queues.ToArray();
            for (var i = 0; i < IndirectionEntries; i++)
                _indirection[i] = array.Length == 0 ? (byte)0 : (byte)(i % array.Length);
            Volatile.Write(ref _rssQueues, array);
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(Action<DeviceEvent> handler)
    {
        lock (_control)
            _handlers = [.. _handlers, handler];
        return new Subscription(this, handler);
    }

    /// <summary>Makes the device do what <paramref name="deviceEvent"/> says and tells subscribers.</summary>
    public void Inject(DeviceEvent deviceEvent)
    {
        switch (deviceEvent)
        {
            case DeviceEvent.LinkUp: _linkUp = true; break;
            case DeviceEvent.LinkDown: _linkUp = false; break;
            case DeviceEvent.Enable: _enabled = true; break;
            case DeviceEvent.Disable: _enabled = false; break;
            case DeviceEvent.FullPower: _fullPower = true; break;
            case DeviceEvent.LowPower: _fullPower = false; break;
            case DeviceEvent.SurpriseRemoval: Remove(); break;
            case DeviceEvent.Arrival: _present = true; break;
        }
        foreach (var handler in Volatile.Read(ref _handlers))
            handler(deviceEvent);
    }

    private void Remove()
    {
        SoftNicQueue[] queues;
        lock (_control)
        {
            _present = false;
            _filters.Clear();
            Publish();
            Volatile.Write(ref _rssQueues, []);
            queues = [.. _receiveQueues.OfType<SoftNicQueue>(), .. _transmitQueues.OfType<SoftNicQueue>()];
            Array.Clear(_receiveQueues);
            Array.Clear(_transmitQueues);
        }
        foreach (var q in queues)
            q.Fail();
    }

    /// <summary>Device side: delivers frames sent by a peer. Used by <see cref="Wire"/>.</summary>
    internal void Receive(BufferPool pool, ReadOnlySpan<int> handles)
    {
        EnterIngress();
        try
        {
            var ready = IsOperational;
            var table = Volatile.Read(ref _filterTable);
            var rss = _rssQueues;
            if (!ready)
                _notReadyDrops += handles.Length;
            else if (!ReceiveHashing && table.Filters.Length == 0 && rss.Length == 1)
                FillBurst(rss[0], pool, handles);
            else
            {
                foreach (var handle in handles)
                    ReceiveOne(pool.Packet(handle), table);
            }
        }
        finally
        {
            ExitIngress();
        }
    }

    /// <summary>Device side: delivers one frame (used by a faulty wire that rewrites frames).</summary>
    internal void Receive(ReadOnlySpan<byte> frame)
    {
        EnterIngress();
        try
        {
            if (IsOperational)
                ReceiveOne(frame, Volatile.Read(ref _filterTable));
            else
                _notReadyDrops++;
        }
        finally
        {
            ExitIngress();
        }
    }

    /// <summary>
    /// The path of a port with no filters, one RSS queue and no hashing (a tester's port): every frame goes to that
    /// queue, so posted buffers are taken and completed a burst at a time.
    /// </summary>
    private void FillBurst(SoftNicQueue queue, BufferPool source, ReadOnlySpan<int> frames)
    {
        Span<int> posted = stackalloc int[64];
        var counters = queue.ReceiveCounters;
        while (!frames.IsEmpty)
        {
            var chunk = frames[..Math.Min(frames.Length, posted.Length)];
            var got = queue.IsStopped ? 0 : queue.TakePosted(posted[..chunk.Length]);
            source.Prefetch(chunk[..got]);
            long bytes = 0;
            var oversize = 0;
            var room = queue.Pool.BufferSize - queue.Options.Headroom;
            for (var i = 0; i < got; i++)
            {
                var frame = source.Packet(chunk[i]);
                if (frame.Length > room)
                {
                    ref var d = ref queue.Pool.Descriptor(posted[i]);
                    d.DataLength = 0;
                    d.Flags = BufferFlags.Flushed;
                    oversize++;
                    continue;
                }
                queue.Pool.SetPacket(posted[i], frame, queue.Options.Headroom);
                ref var descriptor = ref queue.Pool.Descriptor(posted[i]);
                descriptor.Flags = BufferFlags.None;
                descriptor.RxHashValue = 0;
                descriptor.RxFilterContext = 0;
                bytes += frame.Length;
            }
            queue.Complete(posted[..got]);
            counters.Packets += got - oversize;
            counters.Bytes += bytes;
            counters.Drops += chunk.Length - got + oversize;
            _noBufferDrops += chunk.Length - got;
            frames = frames[chunk.Length..];
        }
    }

    private void ReceiveOne(ReadOnlySpan<byte> frame, FilterTable table)
    {
        var rss = _rssQueues;
        if (!ReceiveHashing && table.Filters.Length == 0 && rss.Length == 1)
        {
            Fill(rss[0], frame, 0, 0, BufferFlags.None);
            return;
        }
        ref var info = ref _scratch;
        PacketParser.Parse(frame, ref info);
        var rule = table.Classifier.Classify(in info.Key);
        if (rule >= 0)
        {
            var filter = table.Filters[rule];
            filter.Counters.Packets++;
            filter.Counters.Bytes += frame.Length;
            Fill(filter.Target, frame, 0, filter.Context, BufferFlags.FilterMatched);
            return;
        }
        var hash = ToeplitzHash.Standard.Hash(in info);
        if (rss.Length > 0)
        {
            Fill(rss[_indirection[hash % IndirectionEntries]], frame, hash, 0, BufferFlags.HashValid);
            return;
        }
        Interlocked.Increment(ref _osPathPackets);
        OsPath?.Invoke(frame, hash);
    }

    /// <summary>A PD client hands a received frame back: it goes to the OS path as if no PD queue had taken it.</summary>
    public void Reinject(ReadOnlySpan<byte> frame, uint rssHash)
    {
        Interlocked.Increment(ref _reinjectedPackets);
        Interlocked.Increment(ref _osPathPackets);
        OsPath?.Invoke(frame, rssHash);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Fill(SoftNicQueue queue, ReadOnlySpan<byte> frame, uint hash, ulong context, BufferFlags flags)
    {
        var counters = queue.ReceiveCounters;
        var handle = queue.IsStopped ? -1 : queue.TakePosted();
        if (handle < 0 || frame.Length > queue.Pool.BufferSize - queue.Options.Headroom)
        {
            if (handle >= 0)
                Flushed(queue, handle);
            counters.Drops++;
            _noBufferDrops++;
            return;
        }
        queue.Pool.SetPacket(handle, frame, queue.Options.Headroom);
        ref var d = ref queue.Pool.Descriptor(handle);
        d.Flags = flags;
        d.RxHashValue = hash;
        d.RxFilterContext = context;
        counters.Packets++;
        counters.Bytes += frame.Length;
        queue.Complete(handle);
    }

    /// <summary>
    /// Device side of a receive queue polled while <see cref="LineRate"/> is set: up to <paramref name="most"/> posted
    /// buffers take the line's next frames, as one burst, serialized with the wire and with reclaiming. While another
    /// queue's poll or the wire holds the device side, this poll receives nothing rather than wait for it.
    /// </summary>
    internal void ReceiveLineRate(SoftNicQueue queue, LineRateSource line, int most)
    {
        if (!IsOperational || Interlocked.CompareExchange(ref _ingressBusy, 1, 0) != 0)
            return;
        Span<int> posted = stackalloc int[64];
        try
        {
            var got = queue.IsStopped ? 0 : queue.TakePosted(posted[..Math.Min(most, posted.Length)]);
            var pool = queue.Pool;
            long bytes = 0;
            for (var i = 0; i < got; i++)
            {
                var frame = line.Next(ref queue.LineCursor);
                pool.SetPacket(posted[i], frame, queue.Options.Headroom);
                ref var d = ref pool.Descriptor(posted[i]);
                d.Flags = BufferFlags.None;
                d.RxHashValue = 0;
                d.RxFilterContext = 0;
                bytes += frame.Length;
            }
            queue.Complete(posted[..got]);
            queue.ReceiveCounters.Packets += got;
            queue.ReceiveCounters.Bytes += bytes;
        }
        finally
        {
            ExitIngress();
        }
    }

    /// <summary>Device side of a transmit queue: sends everything posted, then completes it, a burst at a time.</summary>
    internal void Transmit(SoftNicQueue queue)
    {
        Span<int> burst = stackalloc int[64];
        var counters = queue.TransmitCounters;
        int n;
        while ((n = queue.TakePosted(burst)) > 0)
        {
            var sent = burst[..n];
            var wire = Wire;
            if (IsOperational && wire is not null)
            {
                long bytes = 0;
                foreach (var h in sent)
                    bytes += queue.Pool.Descriptor(h).DataLength;
                wire.Carry(this, queue.Pool, sent);
                Interlocked.Add(ref counters.Packets, n);
                Interlocked.Add(ref counters.Bytes, bytes);
            }
            else
            {
                Interlocked.Add(ref counters.Drops, n);
            }
            queue.Complete(sent);
        }
    }

    /// <summary>Completes every buffer still posted to a stopped queue as flushed, serialized with the device side.</summary>
    internal void Reclaim(SoftNicQueue queue)
    {
        EnterIngress();
        try
        {
            int handle;
            while ((handle = queue.TakePosted()) >= 0)
                Flushed(queue, handle);
        }
        finally
        {
            ExitIngress();
        }
    }

    private static void Flushed(SoftNicQueue queue, int handle)
    {
        ref var d = ref queue.Pool.Descriptor(handle);
        d.DataLength = 0;
        d.Flags = BufferFlags.Flushed;
        queue.Complete(handle);
    }

    private void Publish()
    {
        var rules = _filters.Select(f => f.Rule).ToArray();
        Volatile.Write(ref _filterTable, new FilterTable(Classifier.Compile(rules), [.. _filters]));
        Interlocked.Increment(ref _filterTableCompilations);
        // A clear returns only once no delivery can still be using the old table.
        EnterIngress();
        ExitIngress();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnterIngress()
    {
        if (Interlocked.CompareExchange(ref _ingressBusy, 1, 0) != 0)
            SpinUntilFree();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SpinUntilFree()
    {
        // Spin and yield, never sleep: a holder is mid-burst, and a 1 ms sleep would stall a queue's whole duty cycle.
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _ingressBusy, 1, 0) != 0)
            spin.SpinOnce(sleep1Threshold: -1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ExitIngress() => Volatile.Write(ref _ingressBusy, 0);

    private sealed record Filter(int Id, ClassifierRule Rule, SoftNicQueue Target, ulong Context, FilterCounters Counters);

    private sealed record FilterTable(Classifier Classifier, Filter[] Filters)
    {
        public static readonly FilterTable Empty = new(Classifier.Empty, []);
    }

    private sealed class Subscription(SoftNic nic, Action<DeviceEvent> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (nic._control)
                nic._handlers = nic._handlers.Where(h => h != handler).ToArray();
        }
    }
}
