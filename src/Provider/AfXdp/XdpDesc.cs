namespace PdCluster.Provider.AfXdp;

/// <summary>The kernel's <c>struct xdp_desc</c>: one frame on an RX or TX ring.</summary>
internal struct XdpDesc
{
    public ulong Addr;
    public uint Len;
    public uint Options;
}
