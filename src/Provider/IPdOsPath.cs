using PdCluster.Queues.Buffers;

namespace PdCluster.Provider;

/// <summary>
/// PD's back channel into the normal receive path: packets the client does not want (ARP, LLDP, anything unknown)
/// re-enter the operating system's stack as if no PD queue had taken them. Callable from every queue thread at once.
/// </summary>
public interface IPdOsPath
{
    /// <summary>Hands a burst of received packets to the OS; the provider copies them, so the buffers stay the caller's.</summary>
    void Reinject(BufferPool pool, ReadOnlySpan<int> handles);
}
