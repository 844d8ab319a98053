using PdCluster.Nic.Adapters;

namespace PdCluster.Provider;

/// <summary>
/// A PacketDirect provider on one adapter (PD's PDPI): passive, it never calls the client; the client allocates
/// queues, sets receive filters and polls. Disposing closes the provider (PD's teardown: clear filters, release RSS,
/// stop every queue; buffers still in a queue can be drained afterwards).
/// </summary>
public interface IPdProvider : IDisposable
{
    /// <summary>The adapter this provider runs on.</summary>
    AdapterInfo Adapter { get; }

    /// <summary>What the provider supports.</summary>
    PdCapabilities Capabilities { get; }

    /// <summary>The way back into the OS's receive path for packets the client hands back.</summary>
    IPdOsPath OsPath { get; }

    /// <summary>PD's AllocateQueue.</summary>
    IPdQueue AllocateQueue(PdQueueParameters parameters);

    /// <summary>PD's FreeQueue: refused for a queue still holding buffers or targeted by a filter.</summary>
    void FreeQueue(IPdQueue queue);

    /// <summary>PD's AcquireReceiveQueues: takes over the adapter's RSS; all traffic no filter matches now comes to these queues.</summary>
    IReadOnlyList<IPdQueue> AcquireReceiveQueues(PdQueueParameters parameters, int count);

    /// <summary>PD's ReleaseReceiveQueues: gives RSS back to the OS and frees the acquired queues (flush and drain them first).</summary>
    void ReleaseReceiveQueues();

    /// <summary>PD's SetReceiveFilter: steers matching packets to the target queue, before RSS.</summary>
    PdReceiveFilter SetReceiveFilter(ReceiveFilterParameters parameters);

    /// <summary>PD's ClearReceiveFilter: once it returns, no new packet matches the filter.</summary>
    void ClearReceiveFilter(PdReceiveFilter filter);

    /// <summary>
    /// Clears <paramref name="clear"/> and sets <paramref name="set"/> as one change to the adapter's filter table
    /// (PD sets filters one by one; a table of thousands is committed once). All or nothing: a filter the adapter
    /// refuses throws <see cref="PdReceiveFilterRefusedException"/> with its index in <paramref name="set"/>, and the
    /// filters set before stay in force. Returns the new filters in the order of <paramref name="set"/>.
    /// </summary>
    IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set);
}
