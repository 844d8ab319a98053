using PdCluster.Actors.Kernel;
using PdCluster.Concurrency;

namespace PdCluster.VSwitch;

/// <summary>Runs a switch's <see cref="SwitchFabric"/> on a thread of its own; a restart keeps the fabric and what it holds.</summary>
public sealed class SwitchActor(SwitchFabric fabric) : ActorBase, IPolledActor
{
    /// <inheritdoc/>
    public WakeSignal WakeSignal { get; } = new();

    /// <inheritdoc/>
    public IIdleStrategy IdleStrategy => field ??= new BackoffIdleStrategy(WakeSignal);

    /// <inheritdoc/>
    public int Poll() => fabric.DoWork();

    /// <inheritdoc/>
    protected override void OnReceive(object message) => Unhandled(message);

    /// <summary>Keeps the fabric for the next incarnation.</summary>
    protected override void PreRestart(Exception reason, object? message) => WakeSignal.Dispose();

    /// <summary>No cycle runs after this, so the ports need not wait for one to let go of their rings.</summary>
    protected override void PostStop()
    {
        fabric.Close();
        WakeSignal.Dispose();
    }
}
