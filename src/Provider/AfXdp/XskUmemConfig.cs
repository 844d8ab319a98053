namespace PdCluster.Provider.AfXdp;

/// <summary>libxdp's <c>struct xsk_umem_config</c>.</summary>
internal struct XskUmemConfig
{
    public uint FillSize;
    public uint CompSize;
    public uint FrameSize;
    public uint FrameHeadroom;
    public uint Flags;
}
