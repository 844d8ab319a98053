using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;

namespace PdCluster.Bench.Veth;

/// <summary>
/// A PD provider on the interface through a supervised <see cref="QueueActor"/>, one queue that acquired the
/// interface's RSS (so it takes every frame), parsing and classifying every frame against one rule for the
/// benchmark's UDP flow: the rule drops (rx only), or counts and the queue forwards with MACs swapped (reflect).
/// The receive ring is larger than the transmit ring (4,096 against 1,024 slots: as many frames in flight as the C
/// anchor's UMEM, whose 2,048-slot fill ring stays full while its 2,048-slot RX ring holds a backlog), in a pool of
/// 6,200 buffers (13 MiB of UMEM: more than an 8 MiB RLIMIT_MEMLOCK, so the benchmark runs as root, as it must).
/// </summary>
internal sealed class PdVethReceiver : IVethReceiver
{
    public const int DefaultReceiveQueueSize = 4096;
    private const int Buffers = 6200;
    private const int TransmitQueueSize = 1024;

    private readonly PdAdapter _adapter;
    private readonly BufferPool _pool;
    private readonly ActorSystem _system;
    private readonly AdapterSettings _settings;

    /// <summary>Refuses a receive queue size that is not a power of two or whose rings do not fit the pool.</summary>
    public static int CheckReceiveQueueSize(int size) =>
        int.IsPow2(size) && QueueActor.FewestBuffers(1, size, TransmitQueueSize) <= Buffers
            ? size
            : throw new VethUsageException($"--receive-queue-size: {size} is not a power of two whose ring fits the {Buffers}-buffer pool beside a {TransmitQueueSize}-slot transmit ring (at most {Buffers - TransmitQueueSize})");

    public PdVethReceiver(string provider, string interfaceName, bool drainNotification, bool reflect, int port, int receiveQueueSize, bool alignedUmem = false, bool pacedPoll = false)
    {
        var options = new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(interfaceName), AfPacket: new AfPacketAdapterOptions(interfaceName));
        _adapter = PdProviderRegistry.Default.Get(provider).Bind(options);
        _pool = new BufferPool(Buffers, alignedStride: alignedUmem);
        var rule = new FilterSpec
        {
            Id = "bench-flow",
            Action = reflect ? FilterAction.Count : FilterAction.Drop,
            Match = new() { ["protocol"] = "udp", ["destinationPort"] = port.ToString() },
        };
        _settings = new AdapterSettings("pd0", _adapter.OpenProvider, _adapter.Events, _pool, CompiledFilterSet.Compile([rule]),
            Queues: 1, QueueSize: TransmitQueueSize, DrainNotification: drainNotification, ExceptionPath: false, ReceiveQueueSize: receiveQueueSize, PacedPoll: pacedPoll);
        _system = ActorSystem.Create("veth-receiver");
        _system.EventStream.Subscribe(_system.ActorOf(Props.Create(() => new RemovalClock(this)), "removal-clock"), typeof(AdapterStateChanged));
        _system.ActorOf(AdapterSupervisor.PropsFor(_settings), "pd0");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_settings.Telemetry.State != AdapterState.Running)
        {
            if (DateTime.UtcNow > deadline || _settings.Telemetry.Failure is not null)
                throw new InvalidOperationException($"the adapter did not start: {_settings.Telemetry.State} {_settings.Telemetry.Error ?? _settings.Telemetry.Failure}");
            Thread.Sleep(20);
        }
    }

    public long Delivered => _settings.Telemetry.Queues.Sum(q => q.Received);

    /// <summary>CLOCK_REALTIME nanoseconds when the supervisor's first <see cref="AdapterState.Removed"/> reached a subscriber; 0 before.</summary>
    public long RemovedAt => Interlocked.Read(ref _removedAt);

    private long _removedAt;

    /// <summary>Notes when the adapter supervisor announces the adapter removed.</summary>
    private sealed class RemovalClock(PdVethReceiver receiver) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is AdapterStateChanged { State: AdapterState.Removed })
                Interlocked.CompareExchange(ref receiver._removedAt, (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100, 0);
        }
    }

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        _adapter.Dispose();
        _pool.Dispose();
    }
}
