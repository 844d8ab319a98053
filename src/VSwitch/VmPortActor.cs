using PdCluster.Actors.Kernel;
using PdCluster.Concurrency;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>
/// Owns one VM port's rings and its VM's queues and runs the port's duty cycle on a thread of its own. Idle, the thread
/// sleeps on its signal (the VM's queues' drain notifications, the switch's frames for the VM) after a spin its
/// <see cref="AdaptiveSpinPolicy"/> learns. A restart keeps the queues, the rings and what they hold; stopping takes the
/// port off the switch, drains everything back to the pool and stops the VM.
/// </summary>
public sealed class VmPortActor : ActorBase, IPolledActor
{
    private readonly VmPortLink _link;
    private readonly SwitchFabric _fabric;
    private readonly BufferCache _cache;
    private readonly VmPortForwarder _forwarder;

    /// <summary>Runs <paramref name="link"/>'s port on <paramref name="fabric"/>.</summary>
    public VmPortActor(VmPortLink link, SwitchFabric fabric, BufferPool pool)
    {
        _link = link;
        _fabric = fabric;
        _cache = pool.CreateCache(64);
        _forwarder = new VmPortForwarder(link.Port, link.Receive, link.Transmit, _cache);
        IdleStrategy = new DrainNotificationIdleStrategy([_forwarder], WakeSignal, AdaptiveSpinPolicy.ForQueues(), SwitchActor.MaxWait);
        link.Port.PortSignal = WakeSignal;
    }

    /// <inheritdoc/>
    public IIdleStrategy IdleStrategy { get; }

    /// <inheritdoc/>
    public WakeSignal WakeSignal { get; } = new();

    /// <inheritdoc/>
    public int Poll() => _forwarder.DoWork();

    /// <inheritdoc/>
    protected override void OnReceive(object message) => Unhandled(message);

    /// <summary>Keeps the port on the switch and its queues for the next incarnation.</summary>
    protected override void PreRestart(Exception reason, object? message)
    {
        _link.Port.PortSignal = null;
        _cache.Dispose();
        WakeSignal.Dispose();
    }

    /// <summary>Takes the port off the switch, drains its rings and queues, and stops the VM.</summary>
    protected override void PostStop()
    {
        _link.Port.Initialized = false;
        _link.Port.PortSignal = null;
        try
        {
            _fabric.Detach(_link.Port, TimeSpan.FromSeconds(5));
            _forwarder.Quiesce(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _cache.Dispose();
            WakeSignal.Dispose();
            _link.Dispose();
        }
    }
}
