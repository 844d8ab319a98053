using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM port joined to its running VM: the port, the VM, the provider on the switch's side of the VM's interface (the
/// first of the VM's <see cref="IVm.PortProviders"/> that opens with both queues) and its two queues (all the VM sends,
/// and the transmit queue to it). Outlives the port actor's restarts; disposing frees the queues, closes the provider
/// and stops the VM.
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
        var passedOver = new List<string>();
        var providers = vm.PortProviders;
        for (var i = 0; ; i++)
        {
            try
            {
                (_provider, Receive, Transmit) = Open(vm, providers[i], pool);
                Provider = providers[i];
                break;
            }
            catch (Exception e) when (i < providers.Count - 1 && IsOpenFailure(e))
            {
                passedOver.Add($"{providers[i]} did not open ({e.Message})");
            }
        }
        Fallback = passedOver.Count == 0 ? null : string.Join("; ", passedOver);
    }

    /// <summary>The switch port.</summary>
    public SwitchPort Port { get; }

    /// <summary>The VM.</summary>
    public IVm Vm { get; }

    /// <summary>The provider the VM's interface opened with.</summary>
    public string Provider { get; }

    /// <summary>Why the VM's preferred providers were passed over (null: the first opened).</summary>
    public string? Fallback { get; }

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

    private static (IPdProvider Provider, IPdQueue Receive, IPdQueue Transmit) Open(IVm vm, string name, BufferPool pool)
    {
        var provider = vm.OpenPort(name);
        try
        {
            var receive = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, QueueSize, pool), 1)[0];
            return (provider, receive, provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, QueueSize, pool)));
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="e"/> says a provider cannot open here (so the next one is tried), rather than a bug.</summary>
    private static bool IsOpenFailure(Exception e) =>
        e is PdException or PdAdapterOptionsException or PdNotSupportedException or IOException or DllNotFoundException or EntryPointNotFoundException;
}
