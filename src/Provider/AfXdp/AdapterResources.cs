namespace PdCluster.Provider.AfXdp;

/// <summary>What binding an AF_XDP adapter made, released in order: the rtnetlink listener, then the network namespace's thread.</summary>
internal sealed class AdapterResources(RtnetlinkDeviceEvents events, NetworkNamespace? networkNamespace) : IDisposable
{
    public void Dispose()
    {
        events.Dispose();
        networkNamespace?.Dispose();
    }
}
