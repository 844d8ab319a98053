namespace PdCluster.Nic.Adapters;

/// <summary>The physical layer of a port: PacketDirect runs only on Ethernet.</summary>
public enum LinkType
{
    Ethernet,
    InfiniBand,
}
