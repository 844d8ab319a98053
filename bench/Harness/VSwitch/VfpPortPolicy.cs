using PdCluster.Queues.Packets;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// A <see cref="VfpPort"/> behind a switch port's policy hook, so the bench drives VFP rule counts through the switch
/// until the switch's ports take VFP rules themselves.
/// </summary>
internal sealed class VfpPortPolicy(VfpPort port) : IPortPolicy
{
    /// <summary>The VFP port deciding.</summary>
    public VfpPort Port => port;

    /// <inheritdoc/>
    public bool Admit(PortDirection direction, Span<byte> frame, in PacketInfo info)
    {
        var parsed = info;
        return port.Process(direction == PortDirection.Inbound ? VfpDirection.Inbound : VfpDirection.Outbound, frame, ref parsed) == VfpVerdict.Allow;
    }
}
