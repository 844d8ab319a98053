namespace PdCluster.Provider.AfXdp;

/// <summary>The kernel's <c>struct xdp_statistics</c> (getsockopt XDP_STATISTICS): where AF_XDP losses show.</summary>
internal struct XdpStatistics
{
    public ulong RxDropped;
    public ulong RxInvalidDescs;
    public ulong TxInvalidDescs;
    public ulong RxRingFull;
    public ulong RxFillRingEmptyDescs;
    public ulong TxRingEmptyDescs;
}
