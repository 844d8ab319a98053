using System.Buffers.Binary;

namespace PdCluster.VSwitch;

/// <summary>The Ethernet addresses the switch forwards on, as 48-bit numbers (the first octet highest).</summary>
public static class MacAddresses
{
    /// <summary>The destination address of <paramref name="frame"/> (which holds at least 6 bytes).</summary>
    public static ulong Destination(ReadOnlySpan<byte> frame) =>
        (ulong)BinaryPrimitives.ReadUInt32BigEndian(frame) << 16 | BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);

    /// <summary>Whether <paramref name="mac"/> is a group address (multicast, broadcast among them): the first octet's lowest bit.</summary>
    public static bool IsGroup(ulong mac) => (mac & 0x0100_0000_0000) != 0;
}
