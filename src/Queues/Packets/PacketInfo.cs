namespace PdCluster.Queues.Packets;

/// <summary>What <see cref="PacketParser"/> learned about a frame: its flow key, header offsets, and how far it got.</summary>
public struct PacketInfo
{
    /// <summary>Every parsed header field, ready for the classifier.</summary>
    public FlowKey Key;

    /// <summary>Deepest outer layer whose header was complete.</summary>
    public ParseDepth Depth;

    /// <summary>Deepest inner layer of a tunnel whose header was complete (<see cref="ParseDepth.None"/> without a tunnel).</summary>
    public ParseDepth InnerDepth;

    /// <summary>Why parsing stopped early, or <see cref="ParseError.None"/>.</summary>
    public ParseError Error;

    /// <summary>Number of VLAN tags (0, 1, or 2 for QinQ).</summary>
    public byte VlanCount;

    /// <summary>VLAN id of the second (customer) tag of a QinQ frame.</summary>
    public ushort InnerVlanId;

    /// <summary>Offset of the IP header, or 0.</summary>
    public ushort NetworkOffset;

    /// <summary>Offset of the transport header, or 0.</summary>
    public ushort TransportOffset;

    /// <summary>Offset of the first byte after the last parsed header.</summary>
    public ushort PayloadOffset;

    /// <summary>The headers that were complete (also in <see cref="Key"/>).</summary>
    public readonly PacketHeaders Headers => Key.Headers;

    /// <summary>The tunnel, if any (also in <see cref="Key"/>).</summary>
    public readonly Encapsulation Encapsulation => (Encapsulation)(byte)Key.Get(MatchField.Encapsulation);
}
