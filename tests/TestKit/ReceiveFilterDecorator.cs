using PdCluster.Nic.Adapters;
using PdCluster.Provider;

namespace PdCluster.TestKit;

/// <summary>
/// A provider that forwards every call to <paramref name="inner"/> and routes every receive-filter change, single or
/// batched, through <see cref="UpdateReceiveFilters"/>, so a test's decorator sees each change in one place.
/// </summary>
public abstract class ReceiveFilterDecorator(IPdProvider inner) : IPdProvider
{
    /// <summary>The provider the calls go on to.</summary>
    protected IPdProvider Inner => inner;

    /// <inheritdoc/>
    public AdapterInfo Adapter => inner.Adapter;

    /// <inheritdoc/>
    public PdCapabilities Capabilities => inner.Capabilities;

    /// <inheritdoc/>
    public IPdOsPath OsPath => inner.OsPath;

    /// <inheritdoc/>
    public IPdQueue AllocateQueue(PdQueueParameters parameters) => inner.AllocateQueue(parameters);

    /// <inheritdoc/>
    public void FreeQueue(IPdQueue queue) => inner.FreeQueue(queue);

    /// <inheritdoc/>
    public IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count) => inner.AcquireReceiveQueues(parameters, count);

    /// <inheritdoc/>
    public void ReleaseReceiveQueues() => inner.ReleaseReceiveQueues();

    /// <inheritdoc/>
    public PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters) => UpdateReceiveFilters([], [parameters])[0];

    /// <inheritdoc/>
    public void ClearReceiveFilter(PdReceiveFilter filter) => UpdateReceiveFilters([filter], []);

    /// <inheritdoc/>
    public abstract IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set);

    /// <inheritdoc/>
    public void Dispose() => inner.Dispose();
}
