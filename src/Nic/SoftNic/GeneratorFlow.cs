namespace PdCluster.Nic.SoftNic;

/// <summary>
/// One flow the generator sends: a 5-tuple, a frame size, an optional VLAN; or, with <paramref name="EtherType"/>
/// <see cref="Queues.Packets.EtherType.Arp"/>, ARP requests for <paramref name="Destination"/> from <paramref name="Source"/>
/// (traffic that belongs to the OS path). A lab sets the destination MAC to its adapter's own unless
/// <paramref name="DestinationMacOverride"/> names another (a VM's static MAC behind a switch on the adapter).
/// </summary>
public sealed record GeneratorFlow(
    string Source,
    string Destination,
    byte Protocol,
    ushort SourcePort,
    ushort DestinationPort,
    int FrameSize = 60,
    ushort? Vlan = null,
    ulong SourceMac = 0x02_00_00_00_00_01,
    ulong DestinationMac = 0x02_00_00_00_00_02,
    ushort EtherType = Queues.Packets.EtherType.Ipv4,
    ulong? DestinationMacOverride = null);
