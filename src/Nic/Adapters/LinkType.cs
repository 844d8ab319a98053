using System.Text.Json.Serialization;
using PdCluster.Queues.Input;

namespace PdCluster.Nic.Adapters;

/// <summary>The physical layer of a port: PacketDirect runs only on Ethernet.</summary>
[JsonConverter(typeof(JsonEnumConverter<LinkType>))]
public enum LinkType
{
    Ethernet,
    InfiniBand,
}
