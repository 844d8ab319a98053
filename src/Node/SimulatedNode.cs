using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.DataPath;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Idle;

namespace PdCluster.Node;

/// <summary>
/// The embedded default node: a simulated ConnectX-3 Pro (pd0) wired to a second port (gen0) driven by the traffic
/// generator; on pd0 a PD provider with two queue pairs (queue 0 owns RSS, queue 1 receives what hardware filters
/// steer to it), each forwarded on its own thread through the software filters and L2 forwarding back to gen0.
/// </summary>
internal sealed class SimulatedNode : IDisposable
{
    private readonly SoftNic _adapter = new(AdapterInfo.ConnectX3Pro("pd0", 0x02_00_00_00_00_02));
    private readonly SoftNic _generatorPort = new(AdapterInfo.ConnectX3Pro("gen0", 0x02_00_00_00_00_01));
    private readonly BufferPool _pool = new(8192, 2048);
    private readonly SimulatedProvider _provider;
    private readonly TrafficGenerator _generator;
    private readonly List<QueuePair> _pairs = [];
    private readonly List<PdReceiveFilter> _hardwareFilters = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _generatorThread;
    private readonly long _rate;

    /// <summary>Builds the node; nothing runs until <see cref="Start"/>.</summary>
    public SimulatedNode(IReadOnlyList<FilterSpec> filters, long ratePps, int queues = 2)
    {
        _rate = ratePps;
        Filters = filters;
        Wire.Connect(_generatorPort, _adapter);
        _provider = new SimulatedProvider(_adapter);

        var rss = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 1024, _pool), 1)[0];
        var receive = new List<IPdQueue> { rss };
        for (var i = 1; i < queues; i++)
            receive.Add(_provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 1024, _pool)));

        foreach (var spec in filters.Where(f => f.Queue is not null))
        {
            if (spec.Queue < 0 || spec.Queue >= queues)
                throw new FilterSpecException($"filter '{spec.Id}': queue {spec.Queue} does not exist (the node has queues 0..{queues - 1}).");
            _hardwareFilters.Add(_provider.SetReceiveFilter(new ReceiveFilterParameters(spec.ParseMatches(), receive[spec.Queue!.Value], spec.Priority, (ulong)_hardwareFilters.Count + 1)));
        }

        for (var i = 0; i < queues; i++)
        {
            var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 1024, _pool));
            var stage = new FilterStage(FilterTable.Compile(filters));
            var cache = _pool.CreateCache(512);
            var forwarder = new PdForwarder(receive[i], tx, cache, [stage, new L2ForwardStage()]);
            _pairs.Add(new QueuePair(i, forwarder, stage, cache, new PollingThread($"pd-queue-{i}", forwarder, new BackoffIdleStrategy())));
        }

        _generator = new TrafficGenerator(_generatorPort,
        [
            new GeneratorFlow("198.18.0.10", "198.18.1.1", 6, 40000, 80),
            new GeneratorFlow("198.18.0.11", "198.18.1.1", 17, 40001, 53),
            new GeneratorFlow("198.18.200.7", "198.18.1.1", 17, 1234, 9999),
            new GeneratorFlow("198.18.0.12", "198.18.1.1", 6, 40002, 443),
        ]);
        _generatorThread = new Thread(() => _generator.Run(_stop.Token, ratePps: _rate)) { Name = "pd-generator", IsBackground = true };
    }

    /// <summary>The filters in force.</summary>
    public IReadOnlyList<FilterSpec> Filters { get; }

    /// <summary>The PD adapter.</summary>
    public AdapterInfo Adapter => _adapter.Info;

    /// <summary>Starts the queue threads, then the generator.</summary>
    public void Start()
    {
        foreach (var pair in _pairs)
            pair.Thread.Start();
        _generatorThread.Start();
    }

    /// <summary>Counters of every queue and of the generator, as of now.</summary>
    public NodeSnapshot Snapshot()
    {
        var queues = _pairs.Select(p =>
        {
            var rx = p.Forwarder.ReceiveQueue.ReceiveCounters;
            var hits = p.Filters.Table.Specs.Select((s, i) => (s.Id, p.Filters.Table.Hits(i))).ToDictionary();
            return new QueueSnapshot(p.Index, rx.PacketsReceived, p.Forwarder.TransmitQueue.TransmitCounters.PacketsTransmitted,
                rx.PacketsDropped + p.Forwarder.Dropped, hits);
        }).ToList();
        return new NodeSnapshot(queues, _generator.Sent, _generator.Received, _adapter.OsPathPackets, _pool.FreeCount, _pool.Capacity);
    }

    /// <summary>Latency of the generator's frames that came back, at <paramref name="percentile"/>, in microseconds.</summary>
    public double LatencyMicroseconds(double percentile) => _generator.Latency.Percentile(percentile) / 1000.0;

    /// <summary>Stops traffic, then each queue in PD's teardown order, and closes the provider; every buffer goes home.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        if (_generatorThread.IsAlive)
            _generatorThread.Join();
        foreach (var pair in _pairs)
        {
            pair.Thread.Stop();
            pair.Forwarder.Quiesce(TimeSpan.FromSeconds(5));
            pair.Cache.Flush();
        }
        foreach (var filter in _hardwareFilters)
            _provider.ClearReceiveFilter(filter);
        foreach (var pair in _pairs)
        {
            if (pair.Index > 0)
                _provider.FreeQueue(pair.Forwarder.ReceiveQueue);
            _provider.FreeQueue(pair.Forwarder.TransmitQueue);
        }
        _provider.ReleaseReceiveQueues();
        _provider.Dispose();
        _generator.Dispose();
        _stop.Dispose();
    }

    /// <summary>Every buffer is back in the pool.</summary>
    public bool AllBuffersHome => _pool.FreeCount == _pool.Capacity;

    private sealed record QueuePair(int Index, PdForwarder Forwarder, FilterStage Filters, BufferCache Cache, PollingThread Thread);
}

/// <summary>A node's counters at one instant.</summary>
internal sealed record NodeSnapshot(IReadOnlyList<QueueSnapshot> Queues, long Sent, long Returned, long OsPath, int FreeBuffers, int Buffers);

/// <summary>One queue pair's counters at one instant.</summary>
internal sealed record QueueSnapshot(int Queue, long Received, long Transmitted, long Dropped, IReadOnlyDictionary<string, long> FilterHits);
