namespace PdCluster.Queues.Packets;

/// <summary>Why a header walk stopped before the headers ran out.</summary>
public enum ParseError : byte
{
    None,
    /// <summary>The frame ends inside a header.</summary>
    Truncated,
    /// <summary>The IP version nibble disagrees with the EtherType.</summary>
    BadVersion,
    /// <summary>A header length field is smaller than the header's minimum or larger than the packet.</summary>
    BadHeaderLength,
    /// <summary>More IPv6 extension headers than the parser follows.</summary>
    TooManyExtensionHeaders,
}
