using PdCluster.Queues.Packets;

namespace PdCluster.DataPath;

/// <summary>
/// DPDK's exception path: hands every frame that is not IPv4 or IPv6 (ARP, LLDP, anything else the appliance does not
/// speak) back to the OS path, so the host keeps answering ARP and neighbours keep seeing it while PD owns the queue.
/// It sits after the filter stage, so a filter may still drop or count such frames first; IP traffic for the host
/// itself is the filter file's to hand back (<c>os</c> filters). A frame too short for an Ethernet header is dropped.
/// </summary>
public sealed class ExceptionPathStage : IPacketStage
{
    /// <summary>Frames handed to the OS path.</summary>
    public long HandedToOs { get; private set; }

    /// <inheritdoc/>
    public void Process(PacketBurst burst)
    {
        burst.EnsureParsed();
        var verdicts = burst.Verdicts;
        var info = burst.Info;
        for (var i = 0; i < verdicts.Length; i++)
        {
            if (verdicts[i] != Verdict.Forward)
                continue;
            if (info[i].Depth == ParseDepth.None)
            {
                verdicts[i] = Verdict.Drop;
                continue;
            }
            var etherType = (ushort)info[i].Key.Get(MatchField.EtherType);
            if (etherType is not (EtherType.Ipv4 or EtherType.Ipv6))
            {
                verdicts[i] = Verdict.ToOs;
                HandedToOs++;
            }
        }
    }
}
