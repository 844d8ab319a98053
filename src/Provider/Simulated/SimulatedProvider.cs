using PdCluster.Nic.Adapters;
using PdCluster.Nic.Counters;
using PdCluster.Nic.Requirements;
using PdCluster.Nic.SoftNic;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider.Simulated;

/// <summary>The PDPI over a <see cref="SoftNic"/>, the simulated ConnectX-3 Pro. Opening it checks PD's requirements.</summary>
public sealed class SimulatedProvider : IPdProvider
{
    private readonly SoftNic _nic;
    private readonly Lock _lock = new();
    private readonly List<SimulatedQueue> _queues = [];
    private readonly Dictionary<int, PdReceiveFilter> _filters = [];
    private List<SimulatedQueue> _acquired = [];
    private bool _closed;

    /// <summary>Opens a provider on <paramref name="nic"/>; throws <see cref="PdNotSupportedException"/> when the adapter fails <paramref name="requirements"/>.</summary>
    public SimulatedProvider(SoftNic nic, PdRequirements? requirements = null)
    {
        (requirements ?? PdRequirements.Default).Ensure(nic.Info);
        if (!nic.Present)
            throw new PdException(PdStatus.DeviceRemoved, $"{nic.Info.Name} is not present.");
        _nic = nic;
        Capabilities = new PdCapabilities(
            nic.Info.MaxReceiveQueues, nic.Info.MaxTransmitQueues, nic.Info.MaxQueueSize,
            MaxPartialBufferCount: 1, FilterContextBits: 64,
            SupportedMatchFields: Enum.GetValues<MatchField>(), SupportedMatchTypes: Enum.GetValues<FieldMatchType>(),
            FilterCounters: true, DrainNotification: true, ModerationInterval: false, ModerationCount: true);
        OsPath = new SimulatedOsPath(nic);
    }

    /// <inheritdoc/>
    public AdapterInfo Adapter => _nic.Info;

    /// <inheritdoc/>
    public PdCapabilities Capabilities { get; }

    /// <inheritdoc/>
    public IPdOsPath OsPath { get; }

    /// <inheritdoc/>
    public IPdQueue AllocateQueue(PdQueueParameters parameters)
    {
        lock (_lock)
        {
            EnsureOpen();
            var queue = Allocate(parameters);
            _queues.Add(queue);
            return queue;
        }
    }

    /// <inheritdoc/>
    public void FreeQueue(IPdQueue queue)
    {
        var q = Own(queue);
        lock (_lock)
        {
            if (q.Outstanding > 0)
                throw new PdException(PdStatus.Busy, $"Queue {q.Hardware.Index} still holds {q.Outstanding} buffers: flush and drain it before freeing.");
            if (_filters.Values.Any(f => f.Parameters.TargetReceiveQueue == queue))
                throw new PdException(PdStatus.Busy, $"Queue {q.Hardware.Index} is the target of a receive filter: clear the filter first.");
            _nic.FreeQueue(q.Hardware);
            _queues.Remove(q);
            _acquired.Remove(q);
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
            var acquired = new List<SimulatedQueue>();
            try
            {
                for (var i = 0; i < count; i++)
                    acquired.Add(Allocate(parameters));
            }
            catch
            {
                foreach (var q in acquired)
                    _nic.FreeQueue(q.Hardware);
                throw;
            }
            _acquired = acquired;
            _queues.AddRange(acquired);
            _nic.SetRssQueues(acquired.Select(q => q.Hardware).ToArray());
            return acquired;
        }
    }

    /// <inheritdoc/>
    public void ReleaseReceiveQueues()
    {
        lock (_lock)
        {
            _nic.SetRssQueues([]);
            foreach (var q in _acquired.ToArray())
                FreeQueue(q);
        }
    }

    /// <inheritdoc/>
    public PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters) => UpdateReceiveFilters([], [parameters])[0];

    /// <summary>The receive filters set now, in the order they were set; empty once the provider is closed.</summary>
    public IReadOnlyList<PdReceiveFilter> InstalledFilters
    {
        get
        {
            lock (_lock)
                return [.. _filters.Values.OrderBy(f => f.Id)];
        }
    }

    /// <inheritdoc/>
    public void ClearReceiveFilter(PdReceiveFilter filter) => UpdateReceiveFilters([filter], []);

    /// <inheritdoc/>
    public IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        lock (_lock)
        {
            EnsureOpen();
            ReceiveFilterBatch.EnsureSet(clear, _filters);
            var entries = new SoftNicFilter[set.Count];
            for (var i = 0; i < entries.Length; i++)
                entries[i] = Entry(set[i], i);
            int[] ids;
            try
            {
                ids = _nic.UpdateFilters([.. clear.Select(f => f.Id)], entries);
            }
            catch (InvalidOperationException e)
            {
                throw new PdException(PdStatus.DeviceRemoved, e.Message);
            }
            foreach (var filter in clear)
                _filters.Remove(filter.Id);
            var added = new PdReceiveFilter[ids.Length];
            for (var i = 0; i < ids.Length; i++)
                _filters.Add(ids[i], added[i] = new PdReceiveFilter(ids[i], set[i], entries[i].Counters));
            return added;
        }
    }

    /// <summary>The SoftNic filter for <paramref name="parameters"/>, the <paramref name="index"/>th of a batch; refuses a target or rule the device cannot take.</summary>
    private SoftNicFilter Entry(ReceiveFilterParameters parameters, int index)
    {
        if (Owned(parameters.TargetReceiveQueue) is not { } target)
            throw new PdReceiveFilterRefusedException(PdStatus.InvalidParameter, index, "The target queue does not belong to this provider.");
        if (target.Type != PdQueueType.Receive)
            throw new PdReceiveFilterRefusedException(PdStatus.InvalidParameter, index, "A receive filter must target a receive queue.");
        var rule = new ClassifierRule(parameters.Priority, parameters.Matches);
        try
        {
            rule.Validate();
        }
        catch (FilterSpecException e)
        {
            throw new PdReceiveFilterRefusedException(PdStatus.InvalidParameter, index, e.Message);
        }
        return new SoftNicFilter(rule, target.Hardware, parameters.RxFilterContext, parameters.Counters ?? new FilterCounters());
    }

    /// <summary>Closes the provider in PD's teardown order: clear filters, release RSS, stop and free every queue.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            _nic.UpdateFilters(_filters.Keys, []);
            _filters.Clear();
            _nic.SetRssQueues([]);
            foreach (var q in _queues)
            {
                q.FlushQueue();
                _nic.FreeQueue(q.Hardware);
            }
            _queues.Clear();
            _acquired.Clear();
        }
    }

    private SimulatedQueue Allocate(PdQueueParameters p)
    {
        if (p.MaximumPartialBufferCount != 1)
            throw new PdException(PdStatus.NotSupported, "SoftNic receives whole frames only (MaximumPartialBufferCount 1).");
        if (p.ModerationInterval != TimeSpan.Zero)
            throw new PdException(PdStatus.NotSupported, "SoftNic moderates drain notifications by count only (ModerationInterval must be zero).");
        try
        {
            var hw = _nic.AllocateQueue(new QueueOptions(
                p.Type == PdQueueType.Receive ? QueueKind.Receive : QueueKind.Transmit,
                p.QueueSize, p.Pool, p.ReceiveHeadroom, p.DepthThreshold, p.ModerationCount,
                p.ReceiveCounters, p.TransmitCounters));
            return new SimulatedQueue(hw, p);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new PdException(PdStatus.InvalidParameter, e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new PdException(_nic.Present ? PdStatus.InsufficientResources : PdStatus.DeviceRemoved, e.Message);
        }
    }

    private SimulatedQueue Own(IPdQueue queue) =>
        Owned(queue) ?? throw new PdException(PdStatus.InvalidParameter, "The queue does not belong to this provider.");

    private SimulatedQueue? Owned(IPdQueue queue) => queue as SimulatedQueue is { } q && _queues.Contains(q) ? q : null;

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
    }
}
