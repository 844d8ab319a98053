using PdCluster.Queues.Packets;

namespace PdCluster.DataPath;

/// <summary>
/// Turns each packet around: swaps source and destination MAC so it goes back where it came from. A frame shorter
/// than an Ethernet header is dropped.
/// </summary>
public sealed class L2ForwardStage : IPacketStage
{
    /// <inheritdoc/>
    public void Process(PacketBurst burst)
    {
        var verdicts = burst.Verdicts;
        for (var i = 0; i < verdicts.Length; i++)
        {
            if (verdicts[i] != Verdict.Forward)
                continue;
            var frame = burst.Packet(i);
            if (frame.Length < 14)
                verdicts[i] = Verdict.Drop;
            else
                EthernetAddresses.Swap(frame);
        }
    }
}
