using System.Buffers.Binary;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// What a flow's NAT rules do to each of its packets, composed across layers: at most a new source and a new
/// destination endpoint. Applied in place to an IPv4 frame, with its header and TCP/UDP checksums updated incrementally.
/// </summary>
internal struct FlowRewrite
{
    private bool _source;
    private Ipv4Endpoint _sourceTo;
    private bool _destination;
    private Ipv4Endpoint _destinationTo;

    /// <summary>Whether the flow's packets are left as they are.</summary>
    public readonly bool IsEmpty => !_source && !_destination;

    /// <summary>Adds <paramref name="step"/> after the steps so far and applies it to <paramref name="key"/>, so later layers match the rewritten packet.</summary>
    public void Add(NatRewrite step, ref FlowKey key)
    {
        var (addressField, portField) = step.RewritesSource ? (MatchField.SourceIp, MatchField.SourcePort) : (MatchField.DestinationIp, MatchField.DestinationPort);
        ref var to = ref step.RewritesSource ? ref _sourceTo : ref _destinationTo;
        ref var rewritten = ref step.RewritesSource ? ref _source : ref _destination;
        // A step without a port keeps the port an earlier step set.
        to = new Ipv4Endpoint(step.To.Address, step.To.HasPort || !rewritten ? step.To.Port : to.Port);
        rewritten = true;
        key.Set(addressField, PacketParser.MapIpv4(step.To.Address));
        if (step.To.HasPort)
            key.Set(portField, (ulong)step.To.Port);
    }

    /// <summary>Rewrites <paramref name="frame"/> (parsed into <paramref name="info"/>) in place and updates its key; a frame without IPv4 is left alone.</summary>
    public readonly void Apply(Span<byte> frame, ref PacketInfo info)
    {
        if (IsEmpty || !info.Key.Has(PacketHeaders.Ipv4))
            return;
        var ip = frame[info.NetworkOffset..];
        var protocol = (byte)info.Key.Get(MatchField.Protocol);
        var transport = info.Key.Has(PacketHeaders.Ports) && protocol is IpProtocol.Tcp or IpProtocol.Udp ? frame[info.TransportOffset..] : [];
        var checksumAt = protocol == IpProtocol.Tcp ? 16 : 6;
        if (_source)
            Rewrite(ip, transport, checksumAt, 12, 0, _sourceTo, ref info, MatchField.SourceIp, MatchField.SourcePort);
        if (_destination)
            Rewrite(ip, transport, checksumAt, 16, 2, _destinationTo, ref info, MatchField.DestinationIp, MatchField.DestinationPort);
    }

    private static void Rewrite(Span<byte> ip, Span<byte> transport, int checksumAt, int addressAt, int portAt, Ipv4Endpoint to,
        ref PacketInfo info, MatchField addressField, MatchField portField)
    {
        var oldAddress = BinaryPrimitives.ReadUInt32BigEndian(ip[addressAt..]);
        BinaryPrimitives.WriteUInt32BigEndian(ip[addressAt..], to.Address);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(ip[10..]), oldAddress, to.Address));
        info.Key.Set(addressField, PacketParser.MapIpv4(to.Address));
        if (transport.IsEmpty)
            return;
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(transport[checksumAt..]);
        // A UDP checksum of 0 means none was computed: it stays 0.
        var hasChecksum = checksumAt == 16 || checksum != 0;
        checksum = InternetChecksum.Update(checksum, oldAddress, to.Address);
        if (to.HasPort)
        {
            var oldPort = BinaryPrimitives.ReadUInt16BigEndian(transport[portAt..]);
            BinaryPrimitives.WriteUInt16BigEndian(transport[portAt..], (ushort)to.Port);
            checksum = InternetChecksum.Update(checksum, oldPort, (ushort)to.Port);
            info.Key.Set(portField, (ulong)to.Port);
        }
        if (hasChecksum)
            BinaryPrimitives.WriteUInt16BigEndian(transport[checksumAt..], checksumAt == 6 && checksum == 0 ? (ushort)0xFFFF : checksum);
    }
}
