using System.Globalization;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Counters;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// The PDPI on a Linux interface through AF_PACKET, for kernels or drivers without AF_XDP: one socket per PD queue,
/// a TPACKET_V3 ring to receive and a TPACKET_V2 ring to send, frames copied between the rings and the client's
/// buffers. Receive filters run in two halves: a classic BPF socket filter per queue evaluates the fields of
/// <see cref="SocketFilterCompiler.KernelFields"/> so each socket gets the frames that may be its own, and the
/// queue's <see cref="Classifier"/> decides exactly (every field) after the copy. Acquired RSS queues share a
/// PACKET_FANOUT group that spreads frames by flow hash. AF_PACKET is a tap: the kernel stack still receives every
/// frame, so the OS path needs no reinjection (<see cref="KernelStackOsPath"/>).
/// </summary>
public sealed class AfPacketProvider : IPdProvider
{
    /// <summary>The most queues of each kind an adapter opens.</summary>
    public const int MaxQueues = 16;

    /// <summary>The largest ring, in slots.</summary>
    public const int MaxQueueSize = 4096;

    private readonly Lock _lock = new();
    private readonly NetworkNamespace? _namespace;
    private readonly List<IPdQueue> _queues = [];
    private readonly List<AfPacketReceiveQueue> _acquired = [];
    private readonly Dictionary<int, PdReceiveFilter> _filters = [];
    private readonly Dictionary<int, long> _ranks = [];
    private AfPacketFilterTable _table = AfPacketFilterTable.Empty;
    private long _sequence;
    private int _nextId;
    private volatile bool _removed;
    private bool _closed;

    /// <summary>Opens the provider on <paramref name="adapter"/>'s interface, inside <paramref name="networkNamespace"/> when given.</summary>
    public AfPacketProvider(AdapterInfo adapter, AfPacketAdapterOptions options, NetworkNamespace? networkNamespace = null)
    {
        Adapter = adapter;
        _namespace = networkNamespace;
        IfIndex = (int)InNamespace(() => Posix.if_nametoindex(options.Interface));
        if (IfIndex == 0)
            throw new PdException(PdStatus.DeviceRemoved, $"There is no interface {options.Interface}{(_namespace is null ? "" : $" in {_namespace.Path}")}.");
        // The frames an afxdp provider's program redirects never reach a packet socket: this provider would run and see none.
        if (XdpOwnerRecord.LiveOwner(InNamespace(XdpOwnerRecord.CurrentNetworkNamespace), IfIndex) is { } owner)
            throw new PdException(PdStatus.Busy,
                $"{options.Interface} is held by a live afxdp provider (pid {(owner > 0 ? owner.ToString(CultureInfo.InvariantCulture) : "unknown")}), whose XDP program takes its frames before a packet socket sees them: stop that node first.");
        Capabilities = new PdCapabilities(
            MaxReceiveQueues: MaxQueues, MaxTransmitQueues: MaxQueues, MaxQueueSize: MaxQueueSize,
            MaxPartialBufferCount: 1, FilterContextBits: 64,
            SupportedMatchFields: Enum.GetValues<MatchField>(), SupportedMatchTypes: Enum.GetValues<FieldMatchType>(),
            FilterCounters: true, DrainNotification: true, ModerationInterval: false, ModerationCount: false,
            OsReceivesEveryFrame: true);
    }

    /// <inheritdoc/>
    public AdapterInfo Adapter { get; }

    /// <inheritdoc/>
    public PdCapabilities Capabilities { get; }

    /// <inheritdoc/>
    public IPdOsPath OsPath { get; } = new KernelStackOsPath();

    internal int IfIndex { get; }

    /// <summary>The receive filters as the queues classify their copies.</summary>
    internal AfPacketFilterTable Table => Volatile.Read(ref _table);

    /// <summary>Whether a socket found the interface gone.</summary>
    internal bool Removed => _removed;

    /// <inheritdoc/>
    public IPdQueue AllocateQueue(PdQueueParameters parameters)
    {
        lock (_lock)
            return Allocate(parameters, rss: false);
    }

    /// <inheritdoc/>
    public void FreeQueue(IPdQueue queue)
    {
        lock (_lock)
        {
            Own(queue);
            if (queue.Outstanding > 0)
                throw new PdException(PdStatus.Busy, $"The queue still holds {queue.Outstanding} buffers: flush and drain it before freeing.");
            if (_filters.Values.Any(f => f.Parameters.TargetReceiveQueue == queue))
                throw new PdException(PdStatus.Busy, "The queue is the target of a receive filter: clear the filter first.");
            _queues.Remove(queue);
            _acquired.Remove((queue as AfPacketReceiveQueue)!);
            ((AfPacketQueue)queue).Dispose();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count)
    {
        parameters.CheckAcquire(count);
        lock (_lock)
        {
            EnsureOpen();
            PdQueueParameters.CheckNotAcquired(_acquired.Count);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var queue = (AfPacketReceiveQueue)Allocate(parameters, rss: true);
                    _acquired.Add(queue);
                    if (count > 1)
                        queue.JoinFanout(FanoutGroup);
                }
            }
            catch
            {
                foreach (var q in _acquired)
                {
                    _queues.Remove(q);
                    q.Dispose();
                }
                _acquired.Clear();
                throw;
            }
            return [.. _acquired];
        }
    }

    /// <inheritdoc/>
    public void ReleaseReceiveQueues()
    {
        lock (_lock)
        {
            foreach (var q in _acquired.ToArray())
                FreeQueue(q);
        }
    }

    /// <inheritdoc/>
    public PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters)
    {
        try
        {
            return UpdateReceiveFilters([], [parameters])[0];
        }
        catch (PdReceiveFilterRefusedException e)
        {
            throw new PdException(e.Status, e.Message);
        }
    }

    /// <inheritdoc/>
    public void ClearReceiveFilter(PdReceiveFilter filter) => UpdateReceiveFilters([filter], []);

    /// <inheritdoc/>
    /// <remarks>
    /// The new table is compiled whole (the classifier and every queue's socket filter) before anything changes, so a
    /// refusal leaves the filters before the call in force. Then the classifier is published and each socket's filter
    /// replaced; a frame in flight meanwhile is judged by the new classifier.
    /// </remarks>
    public IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        lock (_lock)
        {
            EnsureOpen();
            ReceiveFilterBatch.EnsureSet(clear, _filters);
            for (var i = 0; i < set.Count; i++)
                Check(set[i], i);
            var cleared = clear.Select(f => f.Id).ToHashSet();
            var added = new List<(PdReceiveFilter Filter, long Rank)>(set.Count);
            var sequence = _sequence;
            foreach (var parameters in set)
                added.Add((new PdReceiveFilter(_nextId + added.Count, parameters, parameters.Counters ?? new FilterCounters()), ((long)parameters.Priority << 32) + sequence++));
            var ordered = _filters.Values.Where(f => !cleared.Contains(f.Id)).Select(f => (Filter: f, Rank: _ranks[f.Id]))
                .Concat(added).OrderBy(f => f.Rank).Select(f => f.Filter).ToArray();
            var table = new AfPacketFilterTable(Classifier.Compile([.. ordered.Select(f => new ClassifierRule(f.Parameters.Priority, f.Parameters.Matches))]), ordered);
            var programs = new List<(AfPacketReceiveQueue Queue, SockFilter[] Program)>();
            foreach (var queue in _queues.OfType<AfPacketReceiveQueue>())
            {
                var program = Program(ordered, queue);
                if (program.Length > SocketFilterCompiler.MaxInstructions)
                    throw new PdReceiveFilterRefusedException(PdStatus.InsufficientResources, Math.Max(0, set.Count - 1),
                        $"The socket filter of a queue would take {program.Length} classic BPF instructions; the kernel takes {SocketFilterCompiler.MaxInstructions} at most (fewer filters, or fewer conditions the kernel evaluates).");
                programs.Add((queue, program));
            }

            Volatile.Write(ref _table, table);
            foreach (var (queue, program) in programs)
                queue.Attach(program);
            foreach (var filter in clear)
            {
                _filters.Remove(filter.Id);
                _ranks.Remove(filter.Id);
            }
            foreach (var (filter, rank) in added)
            {
                _filters.Add(filter.Id, filter);
                _ranks.Add(filter.Id, rank);
            }
            _nextId += added.Count;
            _sequence = sequence;
            return [.. added.Select(a => a.Filter)];
        }
    }

    /// <summary>Closes the provider: clear filters, flush and close every queue's socket.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            Volatile.Write(ref _table, AfPacketFilterTable.Empty);
            _filters.Clear();
            _ranks.Clear();
            foreach (var q in _queues)
                q.FlushQueue();
            _acquired.Clear();
        }
    }

    /// <summary>A socket found the interface gone: every queue stops at its next call and gives its buffers back.</summary>
    internal void DeviceGone() => _removed = true;

    /// <summary>Runs a call that depends on the network namespace (opening and binding sockets, looking up the interface) inside the adapter's namespace.</summary>
    internal T InNamespace<T>(Func<T> call) => _namespace is null ? call() : _namespace.Run(call);

    /// <summary>The PACKET_FANOUT group id of the acquired queues (unique per interface and process).</summary>
    private ushort FanoutGroup => (ushort)(IfIndex * 31 + Environment.ProcessId);

    private SockFilter[] Program(IReadOnlyList<PdReceiveFilter> ordered, AfPacketReceiveQueue queue) =>
        SocketFilterCompiler.Compile([.. ordered.Select(f => (f.Parameters.Matches, Mine: f.Parameters.TargetReceiveQueue == queue))], queue.Rss);

    /// <summary>Refuses filter <paramref name="index"/> of a batch when its target or its conditions cannot be taken.</summary>
    private void Check(ReceiveFilterParameters parameters, int index)
    {
        if (parameters.TargetReceiveQueue is not AfPacketReceiveQueue target || !_queues.Contains(target))
            throw new PdReceiveFilterRefusedException(PdStatus.InvalidParameter, index,
                parameters.TargetReceiveQueue is AfPacketTransmitQueue ? "A receive filter must target a receive queue." : "The target queue does not belong to this provider.");
        if (target.Rss && _acquired.Count > 1)
            throw new PdReceiveFilterRefusedException(PdStatus.NotSupported, index,
                "A receive filter cannot target one of several acquired RSS queues: PACKET_FANOUT picks their socket before its filter runs.");
        try
        {
            new ClassifierRule(parameters.Priority, parameters.Matches).Validate();
        }
        catch (FilterSpecException e)
        {
            throw new PdReceiveFilterRefusedException(PdStatus.InvalidParameter, index, e.Message);
        }
    }

    private IPdQueue Allocate(PdQueueParameters p, bool rss)
    {
        EnsureOpen();
        if (_removed || InNamespace(() => Posix.if_nametoindex(Adapter.Name)) != (uint)IfIndex)
            throw new PdException(PdStatus.DeviceRemoved, $"{Adapter.Name} is gone.");
        if (p.MaximumPartialBufferCount != 1)
            throw new PdException(PdStatus.NotSupported, "AF_PACKET receives whole frames only (MaximumPartialBufferCount 1).");
        if (p.ModerationInterval != TimeSpan.Zero)
            throw new PdException(PdStatus.NotSupported, "AF_PACKET drain notifications are not moderated (ModerationInterval must be zero).");
        if (p.QueueSize < 2 || p.QueueSize > MaxQueueSize || !int.IsPow2(p.QueueSize))
            throw new PdException(PdStatus.InvalidParameter, $"Queue size {p.QueueSize} is not a power of two in 2..{MaxQueueSize}.");
        if (_queues.Count(q => q.Type == p.Type) >= MaxQueues)
            throw new PdException(PdStatus.InsufficientResources, $"{Adapter.Name} has no {p.Type.ToString().ToLowerInvariant()} queue left ({MaxQueues} at most).");
        IPdQueue queue;
        if (p.Type == PdQueueType.Transmit)
            queue = new AfPacketTransmitQueue(this, p);
        else
            queue = new AfPacketReceiveQueue(this, p, rss, SocketFilterCompiler.Compile([.. _filters.Values.OrderBy(f => _ranks[f.Id]).Select(f => (f.Parameters.Matches, Mine: false))], rss));
        _queues.Add(queue);
        return queue;
    }

    private void Own(IPdQueue queue)
    {
        if (!_queues.Contains(queue))
            throw new PdException(PdStatus.InvalidParameter, "The queue does not belong to this provider.");
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_closed, this);
}
