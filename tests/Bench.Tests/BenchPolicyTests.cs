using PdCluster.Bench.VSwitch;
using PdCluster.Queues.Packets;
using PdCluster.Vfp;

namespace PdCluster.Bench.Tests;

/// <summary>The VM switch bench's rules: every flow it sends is one the port's rules allow, both ways, so a rate counts forwarded frames.</summary>
public sealed class BenchPolicyTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(10_000)]
    public void Every_flow_of_the_bench_passes_a_port_with_its_rules_in_both_directions(int rules)
    {
        var port = new VfpPort("bench");
        port.Apply(BenchPolicy.Make(rules)!);
        for (var flow = 0; flow < 64; flow++)
        {
            var frame = new FrameBuilder().Ethernet(0x00_15_5d_00_00_01, 0x02_00_00_00_00_01).Ipv4(BenchPolicy.FlowSource(flow, rules), "198.19.1.1")
                .Udp((ushort)(10_000 + flow), BenchPolicy.DestinationPort).Build();
            var info = new PacketInfo();
            PacketParser.Parse(frame, ref info);
            var outbound = info;
            Assert.True(port.Process(VfpDirection.Inbound, frame, ref info) == VfpVerdict.Allow, $"flow {flow} from {BenchPolicy.FlowSource(flow, rules)} is blocked inbound at {rules} rules");
            Assert.True(port.Process(VfpDirection.Outbound, frame, ref outbound) == VfpVerdict.Allow, $"flow {flow} from {BenchPolicy.FlowSource(flow, rules)} is blocked outbound at {rules} rules");
        }
        Assert.Equal(rules, port.Policy.Rules.Count);
    }

    [Fact]
    public void A_port_with_the_bench_rules_still_blocks_what_they_do_not_allow()
    {
        var port = new VfpPort("bench");
        port.Apply(BenchPolicy.Make(10)!);
        var frame = new FrameBuilder().Ethernet(0x00_15_5d_00_00_01, 0x02_00_00_00_00_01).Ipv4("198.19.200.1", "198.19.1.1").Udp(10_000, BenchPolicy.DestinationPort).Build();
        var info = new PacketInfo();
        PacketParser.Parse(frame, ref info);
        Assert.Equal(VfpVerdict.Block, port.Process(VfpDirection.Inbound, frame, ref info));
        Assert.Null(BenchPolicy.Make(0));
    }
}
