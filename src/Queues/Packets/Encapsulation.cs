namespace PdCluster.Queues.Packets;

/// <summary>Tunnel types the parser looks inside of.</summary>
public enum Encapsulation : byte
{
    None = 0,
    IpInIp = 1,
    Gre = 2,
    Nvgre = 3,
    Vxlan = 4,
}
