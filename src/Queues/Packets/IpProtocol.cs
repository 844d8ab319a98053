namespace PdCluster.Queues.Packets;

/// <summary>IANA's assigned Internet protocol numbers (IPv4 protocol, IPv6 next header) that the parser and its tools use.</summary>
public static class IpProtocol
{
    /// <summary>IPv6 Hop-by-Hop Options extension header.</summary>
    public const byte HopByHopOptions = 0;

    /// <summary>Internet Control Message Protocol (IPv4).</summary>
    public const byte Icmp = 1;

    /// <summary>IPv4 encapsulated in IP (IP-in-IP).</summary>
    public const byte IpInIp = 4;

    /// <summary>Transmission Control Protocol.</summary>
    public const byte Tcp = 6;

    /// <summary>User Datagram Protocol.</summary>
    public const byte Udp = 17;

    /// <summary>IPv6 encapsulated in IP.</summary>
    public const byte Ipv6 = 41;

    /// <summary>IPv6 Routing extension header.</summary>
    public const byte Routing = 43;

    /// <summary>IPv6 Fragment extension header.</summary>
    public const byte Fragment = 44;

    /// <summary>Generic Routing Encapsulation.</summary>
    public const byte Gre = 47;

    /// <summary>IPsec Authentication Header, which IPv6 walks as an extension header.</summary>
    public const byte AuthenticationHeader = 51;

    /// <summary>ICMP for IPv6.</summary>
    public const byte IcmpV6 = 58;

    /// <summary>IPv6 Destination Options extension header.</summary>
    public const byte DestinationOptions = 60;

    /// <summary>Mobility extension header (RFC 6275).</summary>
    public const byte Mobility = 135;

    /// <summary>Host Identity Protocol (RFC 7401).</summary>
    public const byte HostIdentity = 139;

    /// <summary>Shim6 protocol (RFC 5533).</summary>
    public const byte Shim6 = 140;

    /// <summary>Reserved for experimentation (RFC 3692): the frame builder's payload protocol when no other layer follows.</summary>
    public const byte Experimental = 253;
}
