namespace PdCluster.Queues.Packets;

/// <summary>
/// The RARP request (RFC 903, "request reverse", sender and target hardware address the MAC, no protocol addresses)
/// with which a hypervisor says a VM's MAC is now behind another port, when it knows no address of the VM: the link's
/// switches learn the MAC's path from its source address.
/// </summary>
public static class ReverseArp
{
    private const ulong Broadcast = 0xFFFF_FFFF_FFFF;
    private const ushort RequestReverse = 3;

    /// <summary>The request from <paramref name="mac"/>, a minimum-size Ethernet frame.</summary>
    public static byte[] Build(ulong mac) =>
        new FrameBuilder().Ethernet(Broadcast, mac, EtherType.ReverseArp).Arp(mac, "0.0.0.0", "0.0.0.0", RequestReverse, targetMac: mac).Build();
}
