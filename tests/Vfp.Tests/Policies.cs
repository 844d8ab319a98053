using PdCluster.Queues.Packets;
using PdCluster.Vfp;

namespace PdCluster.Tests.Vfp;

/// <summary>Rules, policies and frames for the VFP tests.</summary>
internal static class Policies
{
    public static VfpRule Rule(string id, string layer, string group, VfpDirection direction, int priority, VfpAction action, params (string Field, string Value)[] match) =>
        new()
        {
            SchemaVersion = 1, Id = id, Layer = layer, Group = group, Direction = direction, Priority = priority, Action = action,
            Match = match.Length == 0 ? null : match.ToDictionary(m => m.Field, m => m.Value),
        };

    /// <summary>One layer "acl" with groups "in" and "out", holding <paramref name="rules"/>.</summary>
    public static VfpPolicy Acl(params VfpRule[] rules) =>
        new([new VfpLayer("acl", 10)], [new VfpGroup("acl", "in", VfpDirection.Inbound, 1), new VfpGroup("acl", "out", VfpDirection.Outbound, 1)], rules);

    public static VfpRule AllowIn(string id, params (string Field, string Value)[] match) => Rule(id, "acl", "in", VfpDirection.Inbound, 10, VfpAction.Allow, match);

    public static VfpRule AllowOut(string id, params (string Field, string Value)[] match) => Rule(id, "acl", "out", VfpDirection.Outbound, 10, VfpAction.Allow, match);

    public static byte[] Udp(string source, string destination, ushort sourcePort, ushort destinationPort, int size = 60) =>
        new FrameBuilder().Ethernet(2, 1).Ipv4(source, destination).Udp(sourcePort, destinationPort).Build(size);

    public static byte[] Tcp(string source, string destination, ushort sourcePort, ushort destinationPort, byte flags = 0x10) =>
        new FrameBuilder().Ethernet(2, 1).Ipv4(source, destination).Tcp(sourcePort, destinationPort, flags).Build();

    public static PacketInfo Parse(byte[] frame)
    {
        var info = new PacketInfo();
        PacketParser.Parse(frame, ref info);
        return info;
    }

    /// <summary>Parses <paramref name="frame"/> and passes it through <paramref name="port"/>.</summary>
    public static VfpVerdict Send(this VfpPort port, VfpDirection direction, byte[] frame)
    {
        var info = Parse(frame);
        return port.Process(direction, frame, ref info);
    }
}
