using PdCluster.Queues.Packets;
using PdCluster.Vfp;
using static PdCluster.Tests.Vfp.Policies;

namespace PdCluster.Tests.Vfp;

/// <summary>
/// Destination NAT of a virtual IP: the rewritten frame must be byte for byte the frame built for the direct IP
/// (addresses, ports and every checksum), and the reply the frame built from the virtual IP.
/// </summary>
public sealed class DestinationNatTests
{
    private static VfpPolicy NatPolicy(string protocol, string vip = "198.18.0.10:80", string dip = "198.18.1.5:8080") => new(
        [new VfpLayer("nat", 1), new VfpLayer("acl", 2)],
        [
            new VfpGroup("nat", "lb", VfpDirection.Inbound, 1),
            new VfpGroup("acl", "in", VfpDirection.Inbound, 1),
            new VfpGroup("acl", "out", VfpDirection.Outbound, 1),
        ],
        [
            new VfpRule
            {
                SchemaVersion = 1, Id = "web-vip", Layer = "nat", Group = "lb", Direction = VfpDirection.Inbound, Priority = 1,
                Action = VfpAction.DestinationNat, Match = new() { ["protocol"] = protocol, ["sourceIp"] = "198.18.0.0/16" },
                Dnat = new DestinationNat { Vip = vip, Dip = dip },
            },
            // The ACL layer comes after NAT inbound, so it sees the direct endpoint; outbound it comes first, and sees it too.
            AllowIn("to-dip", ("destinationIp", "198.18.1.5")),
            AllowOut("from-dip", ("sourceIp", "198.18.1.5")),
        ]);

    public static TheoryData<string> Protocols => ["tcp", "udp"];

    private static byte[] Frame(string protocol, string source, string destination, ushort sourcePort, ushort destinationPort) =>
        protocol == "tcp" ? Tcp(source, destination, sourcePort, destinationPort) : Udp(source, destination, sourcePort, destinationPort);

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Inbound_to_the_vip_becomes_the_dip_and_the_reply_becomes_the_vip_again_checksums_and_all(string protocol)
    {
        var port = new VfpPort("vm1");
        port.Apply(NatPolicy(protocol));

        for (var packet = 0; packet < 3; packet++)
        {
            var request = Frame(protocol, "198.18.0.1", "198.18.0.10", 40000, 80);
            var info = Parse(request);
            Assert.Equal(VfpVerdict.Allow, port.Process(VfpDirection.Inbound, request, ref info));
            Assert.Equal(Frame(protocol, "198.18.0.1", "198.18.1.5", 40000, 8080), request);
            Assert.Equal(Parse(request).Key.Get(MatchField.DestinationIp), info.Key.Get(MatchField.DestinationIp));
            Assert.Equal(8080UL, (ulong)info.Key.Get(MatchField.DestinationPort));

            var reply = Frame(protocol, "198.18.1.5", "198.18.0.1", 8080, 40000);
            Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Outbound, reply));
            Assert.Equal(Frame(protocol, "198.18.0.10", "198.18.0.1", 80, 40000), reply);
        }
        var flows = port.Snapshot().FlowTable;
        Assert.Equal((2L, 4L), (flows.Misses, flows.Hits));
        var nat = port.Snapshot().Rules.Single(r => r.Rule == "web-vip").Counters;
        Assert.Equal(6, nat.AllowedPackets);
    }

    [Fact]
    public void A_udp_frame_without_a_checksum_keeps_none()
    {
        var port = new VfpPort("vm1", flowTableCapacity: 0);
        port.Apply(NatPolicy("udp"));
        var request = Udp("198.18.0.1", "198.18.0.10", 40000, 80);
        var info = Parse(request);
        request[info.TransportOffset + 6] = 0;
        request[info.TransportOffset + 7] = 0;

        Assert.Equal(VfpVerdict.Allow, port.Process(VfpDirection.Inbound, request, ref info));

        var expected = Udp("198.18.0.1", "198.18.1.5", 40000, 8080);
        expected[info.TransportOffset + 6] = 0;
        expected[info.TransportOffset + 7] = 0;
        Assert.Equal(expected, request);
    }

    [Fact]
    public void Address_only_nat_keeps_the_ports_and_traffic_to_other_addresses_is_not_rewritten()
    {
        var port = new VfpPort("vm1");
        port.Apply(NatPolicy("udp", vip: "198.18.0.10", dip: "198.18.1.5"));

        var request = Udp("198.18.0.1", "198.18.0.10", 40000, 9999);
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, request));
        Assert.Equal(Udp("198.18.0.1", "198.18.1.5", 40000, 9999), request);

        // Straight to the direct address: no rule of the NAT layer decides it, so that layer blocks it, unrewritten.
        var direct = Udp("198.18.0.1", "198.18.1.5", 40000, 9999);
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, direct));
        Assert.Equal(Udp("198.18.0.1", "198.18.1.5", 40000, 9999), direct);

        // A client outside the rule's source prefix is neither rewritten nor let through the NAT layer.
        var stranger = Udp("198.19.0.1", "198.18.0.10", 40000, 9999);
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, stranger));
        Assert.Equal(Udp("198.19.0.1", "198.18.0.10", 40000, 9999), stranger);
    }

    [Fact]
    public void A_blocked_flow_is_not_rewritten()
    {
        var port = new VfpPort("vm1");
        var policy = NatPolicy("tcp");
        port.Apply(new VfpPolicy(policy.Layers, policy.Groups, [.. policy.Rules.Where(r => r.Id != "to-dip")]));
        for (var packet = 0; packet < 2; packet++)
        {
            var request = Tcp("198.18.0.1", "198.18.0.10", 40000, 80);
            Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, request));
            Assert.Equal(Tcp("198.18.0.1", "198.18.0.10", 40000, 80), request);
        }
    }

    [Fact]
    public void The_incremental_checksum_update_equals_a_full_recomputation()
    {
        var random = new Random(11);
        for (var i = 0; i < 2_000; i++)
        {
            var data = new byte[20];
            random.NextBytes(data);
            var before = FrameBuilder.Checksum(data, 0);
            var old = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8));
            var updated = (uint)random.Next() ^ ((uint)random.Next() << 1);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), updated);
            var incremental = InternetChecksum.Update(before, old, updated);
            var full = FrameBuilder.Checksum(data, 0);
            // One's complement has two zeros; RFC 1624's form never yields 0xFFFF from a non-zero sum but may give 0x0000 for it.
            Assert.True(incremental == full || (incremental ^ full) == 0xFFFF && (incremental is 0 or 0xFFFF), $"case {i}: {incremental:x4} != {full:x4}");
        }
    }
}
