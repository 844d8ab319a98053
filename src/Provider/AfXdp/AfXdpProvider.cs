using PdCluster.Nic.Adapters;
using PdCluster.Nic.Counters;
using PdCluster.Queues.Classification;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// The PDPI on a Linux interface through AF_XDP: the project's XDP program plays the NIC's filter table (BPF maps,
/// redirect to a PD queue's socket, XDP_PASS to the kernel otherwise), one AF_XDP socket per PD queue over a UMEM that
/// is the client's buffer pool, and drain notification from the sockets' readiness.
/// </summary>
public sealed class AfXdpProvider : IPdProvider
{
    private readonly Lock _lock = new();
    private readonly NetworkNamespace? _namespace;
    private readonly nint _program;
    private readonly XdpAttachment _attachment;
    private readonly int _ifindex;
    private readonly TapOsPath _osPath;
    private readonly List<AfXdpQueue> _queues = [];
    private readonly List<AfXdpQueue> _acquired = [];
    private readonly Dictionary<int, PdReceiveFilter> _filters = [];
    private readonly Dictionary<int, ulong> _ranks = [];
    private readonly ulong[] _contexts = new ulong[XdpFilterTable.MaxFilters];
    private readonly bool[] _contextValid = new bool[XdpFilterTable.MaxFilters];
    private AfXdpUmem? _umem;
    private uint _sequence;
    private bool _removed;
    private bool _closed;

    /// <summary>Opens the provider on <paramref name="adapter"/>: mounts bpffs if needed and attaches the XDP program.</summary>
    public AfXdpProvider(AdapterInfo adapter, AfXdpAdapterOptions options, NetworkNamespace? networkNamespace = null)
    {
        Adapter = adapter;
        _namespace = networkNamespace;
        AfXdpNeeds.EnsureBpfFs();
        var path = options.ProgramPath ?? Path.Combine(AppContext.BaseDirectory, "pd_xdp.o");
        if (!File.Exists(path))
            throw new PdException(PdStatus.NotSupported, $"The XDP program {path} is missing: the build compiles it with clang (-target bpf); install clang and rebuild.");
        _ifindex = (int)InNamespace(() => Posix.if_nametoindex(options.Interface));
        if (_ifindex == 0)
            throw new PdException(PdStatus.DeviceRemoved, $"There is no interface {options.Interface}{(_namespace is null ? "" : $" in {_namespace.Path}")}.");
        LibbpfLog.Install();
        var mark = LibbpfLog.Mark;
        _program = LibXdp.ProgramOpenFile(path, "xdp", 0);
        if (LibXdp.GetError(_program) is var error and not 0)
            throw new PdException(PdStatus.NotSupported, $"Loading {path} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage((int)-error)}{LibbpfLog.Since(mark)}.");
        try
        {
            _attachment = XdpAttachment.Attach(_program, _ifindex, options.Interface, _namespace);
        }
        catch
        {
            LibXdp.ProgramClose(_program);
            throw;
        }
        try
        {
            Filters = new XdpFilterTable(LibXdp.ProgramObject(_program));
            _osPath = InNamespace(() => new TapOsPath($"pdos{_ifindex}", _ifindex, Path.Combine(Path.GetDirectoryName(path)!, "pd_os_path.o")));
        }
        catch
        {
            _attachment.Dispose();
            LibXdp.ProgramClose(_program);
            throw;
        }
        Capabilities = new PdCapabilities(
            MaxReceiveQueues: XdpFilterTable.MaxQueues, MaxTransmitQueues: XdpFilterTable.MaxQueues, MaxQueueSize: 4096,
            MaxPartialBufferCount: 1, FilterContextBits: 64,
            SupportedMatchFields: XdpFilterTable.Fields, SupportedMatchTypes: [FieldMatchType.Equal, FieldMatchType.MaskEqual, FieldMatchType.InRange],
            FilterCounters: true, DrainNotification: true, ModerationInterval: false, ModerationCount: false);
    }

    /// <inheritdoc/>
    public AdapterInfo Adapter { get; }

    /// <inheritdoc/>
    public PdCapabilities Capabilities { get; }

    /// <inheritdoc/>
    public IPdOsPath OsPath => _osPath;

    internal XdpFilterTable Filters { get; }

    internal AfXdpNeeds Needs { get; } = new();

    /// <inheritdoc/>
    public IPdQueue AllocateQueue(PdQueueParameters parameters)
    {
        lock (_lock)
            return Allocate(parameters);
    }

    /// <inheritdoc/>
    public void FreeQueue(IPdQueue queue)
    {
        var q = Own(queue);
        lock (_lock)
        {
            if (q.Outstanding > 0)
                throw new PdException(PdStatus.Busy, $"Queue {q.Slot} still holds {q.Outstanding} buffers: flush and drain it before freeing.");
            if (_filters.Values.Any(f => f.Parameters.TargetReceiveQueue == queue))
                throw new PdException(PdStatus.Busy, $"Queue {q.Slot} is the target of a receive filter: clear the filter first.");
            InNamespace(() => _umem!.Detach(q));
            _queues.Remove(q);
            _acquired.Remove(q);
            q.Dispose();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count)
    {
        parameters.CheckAcquire(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, XdpFilterTable.MaxRss);
        lock (_lock)
        {
            PdQueueParameters.CheckNotAcquired(_acquired.Count);
            for (var i = 0; i < count; i++)
                _acquired.Add(Allocate(parameters));
            Filters.SetRss([.. _acquired.Select(q => q.Slot)]);
            return [.. _acquired];
        }
    }

    /// <inheritdoc/>
    public void ReleaseReceiveQueues()
    {
        lock (_lock)
        {
            Filters.SetRss([]);
            foreach (var q in _acquired.ToArray())
                FreeQueue(q);
        }
    }

    /// <inheritdoc/>
    public PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters) => Refused(() => UpdateReceiveFilters([], [parameters])[0]);

    /// <inheritdoc/>
    public void ClearReceiveFilter(PdReceiveFilter filter) => UpdateReceiveFilters([filter], []);

    /// <inheritdoc/>
    /// <remarks>
    /// The batch goes into the BPF maps entry by entry while traffic runs: cleared filters first, then the new ones.
    /// If one is refused (a field or a range the XDP table cannot hold, a full table), the ones it added are removed
    /// and the cleared ones set again with their ranks, so the filters in force are those before the call.
    /// </remarks>
    public IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        lock (_lock)
        {
            EnsureOpen();
            ReceiveFilterBatch.EnsureSet(clear, _filters);
            var targets = new AfXdpQueue[set.Count];
            for (var i = 0; i < set.Count; i++)
            {
                targets[i] = Refusing(i, () => Own(set[i].TargetReceiveQueue));
                if (targets[i].Type != PdQueueType.Receive)
                    throw new PdReceiveFilterRefusedException(PdStatus.InvalidParameter, i, "A receive filter must target a receive queue.");
            }
            var free = _contextValid.Count(valid => !valid) + clear.Count;
            if (set.Count > free)
                throw new PdReceiveFilterRefusedException(PdStatus.InsufficientResources, free,
                    $"The XDP filter table holds at most {XdpFilterTable.MaxFilters} filters.");

            var cleared = clear.Select(f => (Filter: f, Rank: _ranks[f.Id], Slot: ((AfXdpQueue)f.Parameters.TargetReceiveQueue).Slot)).ToList();
            foreach (var filter in clear)
                Clear(filter);
            var added = new List<PdReceiveFilter>(set.Count);
            for (var i = 0; i < set.Count; i++)
            {
                try
                {
                    var rank = ((ulong)(uint)(set[i].Priority ^ int.MinValue) << 32) | _sequence++;
                    added.Add(Install(Array.IndexOf(_contextValid, false), set[i], targets[i].Slot, rank));
                }
                catch (PdException e)
                {
                    foreach (var filter in added)
                        Clear(filter);
                    foreach (var (filter, rank, slot) in cleared)
                        Install(filter.Id, filter.Parameters, slot, rank, filter.Counters);
                    throw new PdReceiveFilterRefusedException(e.Status, i, e.Message);
                }
            }
            return added;
        }
    }

    /// <summary>Closes the provider: clear filters, release RSS, flush every queue, detach the program.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            foreach (var f in _filters.Values.ToList())
                Clear(f);
            Filters.SetRss([]);
            foreach (var q in _queues)
                q.FlushQueue();
            InNamespace(() =>
            {
                _umem?.Dispose();
                _osPath.Dispose();
            });
            _attachment.Dispose();
            LibXdp.ProgramClose(_program);
        }
    }

    /// <summary>The RxFilterContext of filter slot <paramref name="filter"/>, if it is set.</summary>
    internal bool FilterContext(uint filter, out ulong context)
    {
        if (filter < (uint)_contexts.Length && Volatile.Read(ref _contextValid[filter]))
        {
            context = _contexts[filter];
            return true;
        }
        context = 0;
        return false;
    }

    /// <summary>A ring said the device is gone: every queue stops and gets its buffers back.</summary>
    internal void DeviceGone()
    {
        var umem = _umem;
        if (umem is null)
            return;
        lock (umem.Lock)
        {
            if (umem.Failed)
                return;
            _removed = true;
            umem.Rebuild(deviceGone: true);
        }
    }

    /// <summary>Runs a call that depends on the network namespace (socket creation and binding) inside the adapter's namespace.</summary>
    internal T InNamespace<T>(Func<T> call) => _namespace is null ? call() : _namespace.Run(call);

    internal void InNamespace(Action call)
    {
        if (_namespace is null)
            call();
        else
            _namespace.Run(call);
    }

    /// <summary>Sets one filter in slot <paramref name="id"/> of the XDP table, with its context and hit counters.</summary>
    private PdReceiveFilter Install(int id, ReceiveFilterParameters parameters, int queueSlot, ulong rank, FilterCounters? counters = null)
    {
        Filters.Add(id, parameters.Matches, rank, queueSlot);
        _ranks[id] = rank;
        _contexts[id] = parameters.RxFilterContext;
        Volatile.Write(ref _contextValid[id], true);
        counters ??= parameters.Counters ?? new FilterCounters();
        counters.Refresh = c =>
        {
            var (packets, bytes) = Filters.ReadHits(id);
            Volatile.Write(ref c.Packets, packets);
            Volatile.Write(ref c.Bytes, bytes);
        };
        var filter = new PdReceiveFilter(id, parameters, counters);
        _filters[id] = filter;
        return filter;
    }

    /// <summary>Runs <paramref name="check"/>; a refusal becomes one of filter <paramref name="index"/> of the batch.</summary>
    private static T Refusing<T>(int index, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (PdReceiveFilterRefusedException)
        {
            throw;
        }
        catch (PdException e)
        {
            throw new PdReceiveFilterRefusedException(e.Status, index, e.Message);
        }
    }

    /// <summary>A single set's refusal as the plain <see cref="PdException"/> the one-filter call has always thrown.</summary>
    private static T Refused<T>(Func<T> set)
    {
        try
        {
            return set();
        }
        catch (PdReceiveFilterRefusedException e)
        {
            throw new PdException(e.Status, e.Message);
        }
    }

    private void Clear(PdReceiveFilter filter)
    {
        _filters.Remove(filter.Id);
        _ranks.Remove(filter.Id);
        Filters.Remove(filter.Id);
        filter.Counters.Refresh?.Invoke(filter.Counters);
        filter.Counters.Refresh = null;
        Volatile.Write(ref _contextValid[filter.Id], false);
    }

    private AfXdpQueue Allocate(PdQueueParameters p)
    {
        EnsureOpen();
        if (_removed || (_umem?.Failed ?? false) || InNamespace(() => Posix.if_nametoindex(Adapter.Name)) != (uint)_ifindex)
            throw new PdException(PdStatus.DeviceRemoved, $"{Adapter.Name} is gone.");
        if (p.MaximumPartialBufferCount != 1)
            throw new PdException(PdStatus.NotSupported, "AF_XDP receives whole frames only (MaximumPartialBufferCount 1).");
        if (p.ModerationInterval != TimeSpan.Zero)
            throw new PdException(PdStatus.NotSupported, "AF_XDP drain notifications are not moderated (ModerationInterval must be zero).");
        if (p.QueueSize < 2 || p.QueueSize > Capabilities.MaxQueueSize || (p.QueueSize & (p.QueueSize - 1)) != 0)
            throw new PdException(PdStatus.InvalidParameter, $"Queue size {p.QueueSize} is not a power of two in 2..{Capabilities.MaxQueueSize}.");
        if (_umem is null)
        {
            AfXdpNeeds.EnsureMemlock((ulong)p.Pool.Capacity * (ulong)p.Pool.BufferStride);
            _umem = InNamespace(() => new AfXdpUmem(this, p.Pool));
        }
        else if (_umem.Pool != p.Pool)
            throw new PdException(PdStatus.InvalidParameter, "Every queue of an AF_XDP adapter uses the one buffer pool registered as its UMEM.");
        var slot = Enumerable.Range(0, XdpFilterTable.MaxQueues).FirstOrDefault(s => _queues.All(q => q.Slot != s), -1);
        if (slot < 0)
            throw new PdException(PdStatus.InsufficientResources, $"{Adapter.Name} has no queue left ({XdpFilterTable.MaxQueues} at most).");
        var queue = new AfXdpQueue(this, _umem, p, slot);
        InNamespace(() => _umem.Attach(queue));
        _queues.Add(queue);
        return queue;
    }

    private AfXdpQueue Own(IPdQueue queue) =>
        queue as AfXdpQueue is { } q && _queues.Contains(q)
            ? q
            : throw new PdException(PdStatus.InvalidParameter, "The queue does not belong to this provider.");

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_closed, this);
}
