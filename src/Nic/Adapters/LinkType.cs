using System.Text.Json.Serialization;
using PdCluster.Queues.Input;

namespace PdCluster.Nic.Adapters;

/// <summary>The physical layer of a port (Linux's ARPHRD_* hardware type): PacketDirect runs only on Ethernet.</summary>
[JsonConverter(typeof(JsonEnumConverter<LinkType>))]
public enum LinkType
{
    /// <summary>ARPHRD_ETHER (1).</summary>
    Ethernet,

    /// <summary>ARPHRD_INFINIBAND (32).</summary>
    InfiniBand,

    /// <summary>ARPHRD_LOOPBACK (772).</summary>
    Loopback,

    /// <summary>ARPHRD_NONE (65534): no link layer, as tun and WireGuard interfaces have.</summary>
    None,

    /// <summary>Any other hardware type.</summary>
    Other,
}
