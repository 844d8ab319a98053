using PdCluster.Vfp;
using static PdCluster.Tests.Vfp.Policies;

namespace PdCluster.Tests.Vfp;

/// <summary>A port's states as the WinOF guide has them, and the layer, group and rule semantics.</summary>
public sealed class VfpPortTests
{
    private static readonly byte[] In = Udp("198.18.0.1", "198.18.1.1", 4000, 53);
    private static readonly byte[] Out = Udp("198.18.1.1", "198.18.0.1", 53, 4000);

    [Fact]
    public void An_enabled_port_without_rules_blocks_both_ways_a_disabled_one_passes_all_and_a_reset_blocks_again()
    {
        var port = new VfpPort("vm1");
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, In));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Outbound, Out));

        port.Disable();
        Assert.True(port.IsDisabled);
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, In));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Outbound, Out));

        port.Reset();
        Assert.False(port.IsDisabled);
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, In));

        port.Apply(Acl(AllowIn("dns", ("protocol", "udp"), ("destinationPort", "53"))));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, In));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 54)));
        // The layer has no outbound rule: outbound stays blocked.
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Outbound, Out));

        var counters = port.Snapshot().Counters;
        Assert.Equal(3, counters.AllowedPackets);
        Assert.Equal(5, counters.BlockedPackets);
        Assert.Equal(3 * 60, counters.AllowedBytes);
    }

    [Fact]
    public void The_best_rule_of_a_group_decides_it_and_the_first_group_that_decides_decides_the_layer()
    {
        var port = new VfpPort("vm1");
        port.Apply(new VfpPolicy(
            [new VfpLayer("acl", 1)],
            [new VfpGroup("acl", "deny", VfpDirection.Inbound, 1), new VfpGroup("acl", "permit", VfpDirection.Inbound, 2)],
            [
                Rule("allow-all", "acl", "permit", VfpDirection.Inbound, 100, VfpAction.Allow),
                Rule("block-range", "acl", "deny", VfpDirection.Inbound, 5, VfpAction.Block, ("sourceIp", "198.18.0.0/24")),
                Rule("except-one", "acl", "deny", VfpDirection.Inbound, 1, VfpAction.Allow, ("sourceIp", "198.18.0.7")),
            ]));

        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 1, 2)));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Udp("198.18.0.7", "198.18.1.1", 1, 2)));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Udp("198.18.5.1", "198.18.1.1", 1, 2)));

        var rules = port.Snapshot().Rules.ToDictionary(r => r.Rule);
        Assert.Equal(1, rules["block-range"].Counters.BlockedPackets);
        Assert.Equal(1, rules["except-one"].Counters.AllowedPackets);
        Assert.Equal(1, rules["allow-all"].Counters.AllowedPackets);
    }

    [Fact]
    public void A_count_rule_counts_and_the_next_group_decides()
    {
        var port = new VfpPort("vm1");
        port.Apply(new VfpPolicy(
            [new VfpLayer("acl", 1)],
            [new VfpGroup("acl", "tally", VfpDirection.Inbound, 1), new VfpGroup("acl", "permit", VfpDirection.Inbound, 2)],
            [
                Rule("dns-seen", "acl", "tally", VfpDirection.Inbound, 1, VfpAction.Count, ("destinationPort", "53")),
                Rule("dns", "acl", "permit", VfpDirection.Inbound, 1, VfpAction.Allow, ("protocol", "udp"), ("sourcePort", "4000-4999")),
            ]));

        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, In));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 5000, 53)));

        var snapshot = port.Snapshot();
        var seen = snapshot.Rules.Single(r => r.Rule == "dns-seen").Counters;
        Assert.Equal((1L, 1L), (seen.AllowedPackets, seen.BlockedPackets));
        var layer = snapshot.Layers.Single().Counters;
        Assert.Equal((1L, 1L), (layer.AllowedPackets, layer.BlockedPackets));
    }

    [Fact]
    public void A_packet_must_pass_every_layer_and_a_layer_no_rule_decides_blocks_it()
    {
        var port = new VfpPort("vm1");
        port.Apply(new VfpPolicy(
            [new VfpLayer("tenant", 2), new VfpLayer("infra", 1)],
            [new VfpGroup("tenant", "in", VfpDirection.Inbound, 1), new VfpGroup("infra", "in", VfpDirection.Inbound, 1)],
            [
                Rule("infra-udp", "infra", "in", VfpDirection.Inbound, 1, VfpAction.Allow, ("protocol", "udp")),
                Rule("tenant-dns", "tenant", "in", VfpDirection.Inbound, 1, VfpAction.Allow, ("destinationPort", "53")),
            ]));

        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, In));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 80)));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Tcp("198.18.0.1", "198.18.1.1", 4000, 53)));

        var layers = port.Snapshot().Layers.ToDictionary(l => l.Layer, l => l.Counters);
        Assert.Equal(["infra", "tenant"], port.Snapshot().Layers.Select(l => l.Layer));
        Assert.Equal((2L, 1L), (layers["infra"].AllowedPackets, layers["infra"].BlockedPackets));
        Assert.Equal((1L, 1L), (layers["tenant"].AllowedPackets, layers["tenant"].BlockedPackets));
    }

    [Fact]
    public void Ten_thousand_rules_on_a_port_each_decide_their_own_flows()
    {
        var rules = Enumerable.Range(0, 10_000)
            .Select(i => AllowIn($"r{i}", ("sourceIp", $"198.18.{i / 250}.{i % 250 + 1}"), ("protocol", "udp"), ("destinationPort", $"{1000 + i % 7}")))
            .Append(Rule("rest", "acl", "in", VfpDirection.Inbound, 20, VfpAction.Block, ("sourceIp", "198.18.0.0/15")))
            .ToArray();
        var port = new VfpPort("vm1");
        port.Apply(Acl(rules));

        for (var i = 0; i < 10_000; i += 997)
        {
            Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Udp($"198.18.{i / 250}.{i % 250 + 1}", "198.19.0.1", 9, (ushort)(1000 + i % 7))));
            Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp($"198.18.{i / 250}.{i % 250 + 1}", "198.19.0.1", 9, (ushort)(1000 + (i + 1) % 7))));
        }
        var snapshot = port.Snapshot();
        Assert.Equal(10_001, snapshot.RuleCount);
        Assert.Equal(1, snapshot.Rules.Single(r => r.Rule == "r997").Counters.AllowedPackets);
        Assert.Equal(11, snapshot.Rules.Single(r => r.Rule == "rest").Counters.BlockedPackets);
    }

    [Fact]
    public void A_new_policy_keeps_the_counters_of_rules_and_layers_whose_names_stay()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53")), AllowIn("web", ("destinationPort", "80"))));
        port.Send(VfpDirection.Inbound, In);
        port.Send(VfpDirection.Inbound, In);

        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53-54")), AllowIn("ntp", ("destinationPort", "123"))));
        // The port takes the policy up at its next packet.
        Assert.Equal(["dns", "web"], port.Snapshot().Rules.Select(r => r.Rule));
        Assert.Equal(2, port.Snapshot().Rules[0].Counters.AllowedPackets);
        port.Send(VfpDirection.Inbound, In);

        var snapshot = port.Snapshot();
        Assert.Equal(["dns", "ntp"], snapshot.Rules.Select(r => r.Rule));
        Assert.Equal(3, snapshot.Rules[0].Counters.AllowedPackets);
        Assert.Equal(0, snapshot.Rules[1].Counters.AllowedPackets);
        Assert.Equal(3, snapshot.Layers.Single().Counters.AllowedPackets);
    }
}
