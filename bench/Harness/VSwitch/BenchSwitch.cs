using PdCluster.Actors.Kernel;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// A switch assembled from the parts <see cref="SwitchSupervisor"/> runs (the external port's queues, a
/// <see cref="SwitchFabric"/> on a <see cref="SwitchActor"/>, a <see cref="VmPortActor"/> per VM on pinned threads),
/// keeping each port's <see cref="VfpPort"/> within reach so the bench sets its VFP rules. Dispose stops the ports, then
/// the switch, and closes the external port.
/// </summary>
internal sealed class BenchSwitch : IDisposable
{
    /// <summary>The name the switch's actors run under: their threads are named <c>pinned:/user/vsw…</c>.</summary>
    public const string ThreadPrefix = "pinned:/user/vsw";

    private readonly ActorSystem _system = ActorSystem.Create("vswitch-bench");
    private readonly IPdProvider _provider;
    private readonly BufferCache _cache;
    private readonly SwitchFabric _fabric;
    private readonly IActorRef _switch;
    private readonly List<IActorRef> _ports = [];

    /// <summary>Opens the external port on <paramref name="external"/> and starts forwarding with buffers from <paramref name="pool"/>.</summary>
    public BenchSwitch(PdAdapter external, BufferPool pool, int queueSize = 1024)
    {
        Pool = pool;
        _provider = external.OpenProvider();
        var rx = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, queueSize, pool), 1)[0];
        var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, queueSize, pool));
        _cache = pool.CreateCache(256);
        _fabric = new SwitchFabric(rx, tx, _cache, _provider.OsPath);
        _switch = _system.ActorOf(Props.Create(() => new SwitchActor(_fabric)).WithDispatcher(Props.PinnedDispatcher), "vsw-switch");
    }

    /// <summary>The buffers of every port.</summary>
    public BufferPool Pool { get; }

    /// <summary>Threads the switch runs on: its own and one per VM port.</summary>
    public int Threads => 1 + _ports.Count;

    /// <summary>Frames the switch lost (no buffer, a full ring or queue).</summary>
    public long Dropped => _fabric.Dropped;

    /// <summary>
    /// Starts <paramref name="vm"/>'s port as <paramref name="spec"/> names it, with VFP enabled and
    /// <paramref name="policy"/> applied when there is one, VFP off (no VFP at all) when there is none; returns the
    /// port joined to the VM's interface (which provider opened it).
    /// </summary>
    public VmPortLink Attach(VmSpec spec, IVm vm, VfpPolicy? policy)
    {
        var port = new SwitchPort(spec.Port) { VfpEnabled = policy is not null };
        if (policy is not null)
            SetRules(port, policy);
        var link = new VmPortLink(port, vm, Pool);
        _fabric.Attach(port);
        _ports.Add(_system.ActorOf(Props.Create(() => new VmPortActor(link, _fabric, Pool)).WithDispatcher(Props.PinnedDispatcher), $"vsw-port-{spec.Name}"));
        return link;
    }

    /// <summary>Gives <paramref name="port"/>'s VFP port <paramref name="policy"/> (null: no rules, so blocked while VFP is on).</summary>
    public static void SetRules(SwitchPort port, VfpPolicy? policy) => port.Vfp.Apply(policy ?? VfpPolicy.Empty);

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            foreach (var port in _ports)
                port.GracefulStop(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            _switch.GracefulStop(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            _fabric.Quiesce(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _cache.Dispose();
            try
            {
                _provider.ReleaseReceiveQueues();
            }
            finally
            {
                _provider.Dispose();
                _system.Terminate().GetAwaiter().GetResult();
            }
        }
    }
}
