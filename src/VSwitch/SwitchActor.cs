using PdCluster.Actors.Kernel;
using PdCluster.Concurrency;

namespace PdCluster.VSwitch;

/// <summary>
/// Runs a switch's <see cref="SwitchFabric"/> on a thread of its own; a restart keeps the fabric and what it holds. Idle,
/// the thread sleeps on the fabric's <see cref="SwitchFabric.Wake"/> (the external port's drain notifications, the VM
/// ports' frames) after a spin its <see cref="AdaptiveSpinPolicy"/> learns.
/// </summary>
public sealed class SwitchActor(SwitchFabric fabric) : ActorBase, IPolledActor
{
    /// <summary>The longest sleep of the switch's threads with nothing to wake them: it paces what no notification reports (a failed port's queues draining, buffers back in the pool for a refill).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(10);

    /// <inheritdoc/>
    public WakeSignal WakeSignal => fabric.Wake;

    /// <inheritdoc/>
    public IIdleStrategy IdleStrategy => field ??= new DrainNotificationIdleStrategy([fabric], fabric.Wake, AdaptiveSpinPolicy.ForQueues(), MaxWait);

    /// <inheritdoc/>
    public int Poll() => fabric.DoWork();

    /// <inheritdoc/>
    protected override void OnReceive(object message) => Unhandled(message);

    /// <summary>No cycle runs after this, so the ports need not wait for one to let go of their rings.</summary>
    protected override void PostStop()
    {
        fabric.Close();
        fabric.Wake.Dispose();
    }
}
