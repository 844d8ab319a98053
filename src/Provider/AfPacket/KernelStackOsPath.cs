using PdCluster.Queues.Buffers;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// The OS path of an AF_PACKET adapter. AF_PACKET hands PD a copy: the kernel stack received every frame already, the
/// ones a PD queue took included, so a packet the client hands back is on the OS's path as it stands; writing it into
/// the kernel again would deliver it twice. Reinject therefore leaves the kernel alone and the buffers with the client.
/// </summary>
internal sealed class KernelStackOsPath : IPdOsPath
{
    public void Reinject(BufferPool pool, ReadOnlySpan<int> handles)
    {
    }
}
