using PdCluster.Nic.Adapters;
using PdCluster.Provider;

namespace PdCluster.Tests.Node;

/// <summary>A provider that passes its factory's gate before a receive-filter batch that sets filters, then does what the real one does.</summary>
internal sealed class GatedProvider(IPdProvider inner, GatedProviderFactory gate) : IPdProvider
{
    public AdapterInfo Adapter => inner.Adapter;

    public PdCapabilities Capabilities => inner.Capabilities;

    public IPdOsPath OsPath => inner.OsPath;

    public IPdQueue AllocateQueue(PdQueueParameters parameters) => inner.AllocateQueue(parameters);

    public void FreeQueue(IPdQueue queue) => inner.FreeQueue(queue);

    public IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count) => inner.AcquireReceiveQueues(parameters, count);

    public void ReleaseReceiveQueues() => inner.ReleaseReceiveQueues();

    public PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters) => UpdateReceiveFilters([], [parameters])[0];

    public void ClearReceiveFilter(PdReceiveFilter filter) => UpdateReceiveFilters([filter], []);

    public IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        if (set.Count > 0)
            gate.Pass();
        return inner.UpdateReceiveFilters(clear, set);
    }

    public void Dispose() => inner.Dispose();
}
