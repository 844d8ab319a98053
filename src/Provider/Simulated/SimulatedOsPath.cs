using PdCluster.Nic.SoftNic;
using PdCluster.Queues.Buffers;

namespace PdCluster.Provider.Simulated;

/// <summary>The OS path of a <see cref="SoftNic"/>: reinjected packets reach its OS-path hook and counters.</summary>
internal sealed class SimulatedOsPath(SoftNic nic) : IPdOsPath
{
    public void Reinject(BufferPool pool, ReadOnlySpan<int> handles)
    {
        foreach (var handle in handles)
            nic.Reinject(pool.Packet(handle), pool.Descriptor(handle).RxHashValue);
    }
}
