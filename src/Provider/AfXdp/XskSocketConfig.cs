using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>libxdp's <c>struct xsk_socket_config</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XskSocketConfig
{
    public uint RxSize;
    public uint TxSize;
    public uint LibxdpFlags;
    public uint XdpFlags;
    public ushort BindFlags;
}
