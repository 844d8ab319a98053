using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM port joined to its running VM: the port, the VM, the provider on the switch's side of the VM's interface and
/// its two queues (all the VM sends, and the transmit queue to it). Outlives the port actor's restarts; disposing frees
/// the queues, closes the provider and stops the VM.
/// </summary>
public sealed class VmPortLink : IDisposable
{
    /// <summary>Ring slots of the VM interface's queues.</summary>
    public const int QueueSize = 512;

    private readonly IPdProvider _provider;

    /// <summary>Opens <paramref name="vm"/>'s interface for <paramref name="port"/> with buffers from <paramref name="pool"/>.</summary>
    public VmPortLink(SwitchPort port, IVm vm, BufferPool pool)
    {
        Port = port;
        Vm = vm;
        _provider = vm.OpenPort();
        try
        {
            Receive = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, QueueSize, pool), 1)[0];
            Transmit = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, QueueSize, pool));
        }
        catch
        {
            _provider.Dispose();
            throw;
        }
    }

    /// <summary>The switch port.</summary>
    public SwitchPort Port { get; }

    /// <summary>The VM.</summary>
    public IVm Vm { get; }

    /// <summary>What the VM sends.</summary>
    public IPdQueue Receive { get; }

    /// <summary>Where frames for the VM go.</summary>
    public IPdQueue Transmit { get; }

    /// <summary>Frees the queues (drained first by the port's actor), closes the provider, stops the VM.</summary>
    public void Dispose()
    {
        try
        {
            _provider.ReleaseReceiveQueues();
            _provider.FreeQueue(Transmit);
        }
        catch (PdException)
        {
            // An interface that went away took its queues with it.
        }
        finally
        {
            _provider.Dispose();
            Vm.Dispose();
        }
    }
}
