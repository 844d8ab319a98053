using PdCluster.Queues.Packets;

namespace PdCluster.VSwitch;

/// <summary>
/// Admits or blocks a port's frames one at a time, per direction (the hook a switch extension such as VFP fills).
/// Runs on the port's own thread, allocates nothing, and may rewrite the frame in place (NAT, encapsulation).
/// </summary>
public interface IPortPolicy
{
    /// <summary>Whether <paramref name="frame"/>, parsed as <paramref name="info"/>, may cross the port <paramref name="direction"/>.</summary>
    bool Admit(PortDirection direction, Span<byte> frame, in PacketInfo info);
}
