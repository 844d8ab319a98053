using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Vfp;
using static PdCluster.Tests.Vfp.Policies;

namespace PdCluster.Tests.Vfp;

/// <summary>
/// Random policies and packets against a reference written straight from the documented semantics (every rule's
/// conditions checked one by one): the port, with its flow table and without, decides every packet as the reference does.
/// </summary>
public sealed class ReferenceModelTests
{
    private static readonly string[] Layers = ["l0", "l1", "l2"];
    private static readonly string[] GroupNames = ["g0", "g1"];

    private static readonly (string Field, string[] Values)[] Conditions =
    [
        ("protocol", ["udp", "tcp"]),
        ("sourceIp", ["198.18.0.0/30", "198.18.0.1", "198.18.0.0/16", "198.18.0.2-198.18.0.3"]),
        ("destinationPort", ["53", "50-60", "0/1", "80"]),
        ("sourcePort", ["1-2", "3"]),
    ];

    private static Gen<Func<int, VfpRule>> Rules() =>
        from layer in Gen.Elements(Layers)
        from groupName in Gen.Elements(GroupNames)
        from direction in Gen.Elements(VfpDirection.Inbound, VfpDirection.Outbound)
        from priority in Gen.Choose(0, 5)
        from action in Gen.Elements(VfpAction.Allow, VfpAction.Block, VfpAction.Count)
        from first in Gen.Choose(-1, Conditions.Length - 1)
        from second in Gen.Choose(-1, Conditions.Length - 1)
        from value in Gen.Choose(0, 15)
        select (Func<int, VfpRule>)(index => Rule($"r{index}", layer, groupName, direction, priority, action,
            [.. new[] { (first, value % 4), (second, value / 4) }.Where(c => c.Item1 >= 0).DistinctBy(c => c.Item1)
                .Select(c => (Conditions[c.Item1].Field, Conditions[c.Item1].Values[c.Item2 % Conditions[c.Item1].Values.Length]))]));

    private static Gen<VfpPolicy> Policies() =>
        from ruleCount in Gen.Choose(0, 12)
        from makers in Rules().ListOf(ruleCount)
        let rules = makers.Select((make, i) => make(i)).ToList()
        from layerCount in Gen.Choose(1, 3)
        from layerPriorities in Gen.Choose(0, 3).ListOf(3)
        from groupPriorities in Gen.Choose(0, 3).ListOf(12)
        let layers = Layers.Take(layerCount).Select((l, i) => new VfpLayer(l, layerPriorities[i])).ToList()
        let groups = (from l in Enumerable.Range(0, layerCount)
                      from g in Enumerable.Range(0, GroupNames.Length)
                      from d in new[] { VfpDirection.Inbound, VfpDirection.Outbound }
                      select new VfpGroup(Layers[l], GroupNames[g], d, groupPriorities[l * 4 + g * 2 + (int)d])).ToList()
        select new VfpPolicy(layers, groups, [.. rules.Where(r => layers.Any(l => l.Name == r.Layer))]);

    private static Gen<(VfpDirection, byte[])> Packets() =>
        from direction in Gen.Elements(VfpDirection.Inbound, VfpDirection.Outbound)
        from tcp in Gen.Elements(true, false)
        from source in Gen.Choose(0, 4)
        from sourcePort in Gen.Choose(1, 4)
        from destinationPort in Gen.Elements(53, 54, 80, 81)
        select (direction, tcp
            ? Tcp($"198.18.0.{source}", "198.18.1.1", (ushort)sourcePort, (ushort)destinationPort)
            : Udp($"198.18.0.{source}", "198.18.1.1", (ushort)sourcePort, (ushort)destinationPort));

    /// <summary>The documented semantics, rule by rule, with no classifier and no flow table.</summary>
    private static VfpVerdict Reference(VfpPolicy policy, VfpDirection direction, in FlowKey key)
    {
        var layers = policy.Layers.Select((l, i) => (l, i)).OrderBy(p => p.l.Priority).ThenBy(p => p.i).Select(p => p.l).ToList();
        if (direction == VfpDirection.Outbound)
            layers.Reverse();
        if (layers.Count == 0)
            return VfpVerdict.Block;
        foreach (var layer in layers)
        {
            var decided = false;
            var groups = policy.Groups.Select((g, i) => (g, i)).Where(p => p.g.Layer == layer.Name && p.g.Direction == direction).OrderBy(p => p.g.Priority).ThenBy(p => p.i);
            foreach (var (group, _) in groups)
            {
                var members = policy.Rules.Select((r, i) => (r, i)).Where(p => p.r.Layer == layer.Name && p.r.Direction == direction && p.r.Group == group.Name)
                    .OrderBy(p => p.r.Priority).ThenBy(p => p.i).Select(p => p.r);
                var k = key;
                var best = members.FirstOrDefault(r => FilterSpec.ParseMatch(r.Match, (_, p) => new InvalidOperationException(p)).All(m => m.Matches(in k)));
                if (best is null || best.Action == VfpAction.Count)
                    continue;
                if (best.Action == VfpAction.Block)
                    return VfpVerdict.Block;
                decided = true;
                break;
            }
            if (!decided)
                return VfpVerdict.Block;
        }
        return VfpVerdict.Allow;
    }

    [Fact]
    public void The_port_decides_as_the_reference_with_and_without_its_flow_table()
    {
        var cases = from policy in Policies()
                    from packets in Packets().ListOf(30)
                    select (policy, packets);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var cached = new VfpPort("cached", flowTableCapacity: 16);
            var uncached = new VfpPort("uncached", flowTableCapacity: 0);
            cached.Apply(c.policy);
            uncached.Apply(c.policy);
            // Each packet twice: the second of a flow is a flow-table hit unless evicted.
            foreach (var (direction, frame) in c.packets.Concat(c.packets))
            {
                var expected = Reference(c.policy, direction, Parse(frame).Key);
                Assert.Equal(expected, cached.Send(direction, frame));
                Assert.Equal(expected, uncached.Send(direction, frame));
            }
            var (a, b) = (cached.Snapshot(), uncached.Snapshot());
            Assert.Equal(b.Counters, a.Counters);
            Assert.Equal(b.Rules.Select(r => r.Counters), a.Rules.Select(r => r.Counters));
            Assert.Equal(b.Layers.Select(l => l.Counters), a.Layers.Select(l => l.Counters));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
