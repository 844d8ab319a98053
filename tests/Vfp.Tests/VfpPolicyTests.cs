using PdCluster.Vfp;
using static PdCluster.Tests.Vfp.Policies;

namespace PdCluster.Tests.Vfp;

/// <summary>What a policy refuses: rules outside its layers and groups, names defined twice. A refused policy changes nothing on the port.</summary>
public sealed class VfpPolicyTests
{
    [Fact]
    public void A_rule_in_a_group_the_policy_does_not_define_for_its_direction_is_refused_and_the_port_keeps_its_policy()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53"))));
        var e = Assert.Throws<VfpRuleException>(() => port.Apply(new VfpPolicy(
            [new VfpLayer("acl", 1)], [new VfpGroup("acl", "in", VfpDirection.Inbound, 1)],
            [Rule("x", "acl", "in", VfpDirection.Outbound, 1, VfpAction.Allow)], "vm1")));
        Assert.Equal("vm1: rule 'x': names group 'in' of layer 'acl' for outbound, which the policy does not define.", e.Message);
        Assert.Equal("dns", port.Policy.Rules.Single().Id);
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 1, 53)));
    }

    [Fact]
    public void Names_defined_twice_and_groups_of_unknown_layers_are_refused()
    {
        Assert.Equal("policy: layer 'acl': is defined twice.",
            Assert.Throws<VfpRuleException>(() => new VfpPolicy([new VfpLayer("acl", 1), new VfpLayer("acl", 2)], [], [])).Message);
        Assert.Equal("policy: group 'g': names layer 'nat', which the policy does not define.",
            Assert.Throws<VfpRuleException>(() => new VfpPolicy([new VfpLayer("acl", 1)], [new VfpGroup("nat", "g", VfpDirection.Inbound, 1)], [])).Message);
        Assert.Equal("policy: group 'g': is defined twice in layer 'acl' for inbound.",
            Assert.Throws<VfpRuleException>(() => new VfpPolicy([new VfpLayer("acl", 1)], [new VfpGroup("acl", "g", VfpDirection.Inbound, 1), new VfpGroup("acl", "g", VfpDirection.Inbound, 2)], [])).Message);
        Assert.Equal("policy: rule 'a': is defined twice; rule ids are unique on a port.",
            Assert.Throws<VfpRuleException>(() => Acl(AllowIn("a"), AllowOut("a"))).Message);
        Assert.StartsWith("policy: rule 'a': match.sourceIp: ",
            Assert.Throws<VfpRuleException>(() => Acl(AllowIn("a", ("sourceIp", "300.1.1.1")))).Message);
        // The same group name in both directions is two groups.
        Assert.Equal(2, new VfpPolicy([new VfpLayer("acl", 1)], [new VfpGroup("acl", "g", VfpDirection.Inbound, 1), new VfpGroup("acl", "g", VfpDirection.Outbound, 1)], []).Groups.Count);
    }
}
