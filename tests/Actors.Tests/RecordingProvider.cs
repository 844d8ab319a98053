using System.Collections.Concurrent;
using PdCluster.Nic.Adapters;
using PdCluster.Provider;

namespace PdCluster.Tests.Actors;

/// <summary>A provider that records every SetReceiveFilter and ClearReceiveFilter on its way to a real one, and refuses the filters <paramref name="refuse"/> picks.</summary>
internal sealed class RecordingProvider(IPdProvider inner, ConcurrentQueue<string> calls, Func<ReceiveFilterParameters, bool>? refuse = null) : IPdProvider
{
    public AdapterInfo Adapter => inner.Adapter;

    public PdCapabilities Capabilities => inner.Capabilities;

    public IPdOsPath OsPath => inner.OsPath;

    public IPdQueue AllocateQueue(PdQueueParameters parameters) => inner.AllocateQueue(parameters);

    public void FreeQueue(IPdQueue queue) => inner.FreeQueue(queue);

    public IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count) => inner.AcquireReceiveQueues(parameters, count);

    public void ReleaseReceiveQueues() => inner.ReleaseReceiveQueues();

    public PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters)
    {
        if (refuse?.Invoke(parameters) == true)
            throw new PdException(PdStatus.NotSupported, $"priority {parameters.Priority} is not supported.");
        var filter = inner.SetReceiveFilter(parameters);
        calls.Enqueue($"set {filter.Id} priority {parameters.Priority}");
        return filter;
    }

    public void ClearReceiveFilter(PdReceiveFilter filter)
    {
        inner.ClearReceiveFilter(filter);
        calls.Enqueue($"clear {filter.Id} priority {filter.Parameters.Priority}");
    }

    public void Dispose() => inner.Dispose();
}
