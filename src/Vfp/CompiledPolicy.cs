using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// A <see cref="VfpPolicy"/> compiled for the data path, and the walk of a flow's first packet through it: layer by
/// layer (inbound in ascending priority, outbound in descending), group by group, each group's best rule deciding.
/// </summary>
internal sealed class CompiledPolicy
{
    private CompiledPolicy(VfpPolicy source, CompiledLayer[] layers, CompiledRule[] rules)
    {
        Source = source;
        Layers = layers;
        Rules = rules;
        MatchesTcpFlags = rules.Any(r => r.Rule.Match?.Keys.Any(k => k.Equals(nameof(MatchField.TcpFlags), StringComparison.OrdinalIgnoreCase)) == true);
        MaxPath = Math.Max(PathBound(VfpDirection.Inbound), PathBound(VfpDirection.Outbound));
    }

    /// <summary>The policy compiled.</summary>
    public VfpPolicy Source { get; }

    /// <summary>The layers in inbound pass order (ascending priority).</summary>
    public CompiledLayer[] Layers { get; }

    /// <summary>Every rule, in the order the policy lists them.</summary>
    public CompiledRule[] Rules { get; }

    /// <summary>Whether a rule looks at TCP flags, which then take part in telling flows apart.</summary>
    public bool MatchesTcpFlags { get; }

    /// <summary>The longest path <see cref="Evaluate"/> can record.</summary>
    public int MaxPath { get; }

    /// <summary>Compiles <paramref name="policy"/> (already checked when it was built).</summary>
    public static CompiledPolicy Compile(VfpPolicy policy)
    {
        var layerOrder = policy.Layers.Select((l, i) => (Layer: l, Index: i)).OrderBy(l => l.Layer.Priority).ThenBy(l => l.Index).Select(l => l.Layer).ToArray();
        var layerIndex = layerOrder.Select((l, i) => (l.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var rules = policy.Rules.Select(r => Compile(r, layerIndex[r.Layer])).ToArray();
        var layers = layerOrder.Select(l => new CompiledLayer(l.Name, Groups(policy, rules, l.Name, VfpDirection.Inbound), Groups(policy, rules, l.Name, VfpDirection.Outbound))).ToArray();
        return new CompiledPolicy(policy, layers, rules);
    }

    /// <summary>
    /// Walks a flow's first packet, <paramref name="key"/>, through the layers: records each rule that matched (and,
    /// as <c>~layer</c>, a layer that no group decided) in <paramref name="path"/>, applies the NAT steps of the rules
    /// that decide to <paramref name="key"/> and <paramref name="rewrite"/>, and returns the verdict.
    /// </summary>
    public VfpVerdict Evaluate(VfpDirection direction, ref FlowKey key, ref FlowRewrite rewrite, Span<int> path, out int length)
    {
        length = 0;
        var count = Layers.Length;
        if (count == 0)
            return VfpVerdict.Block;
        for (var step = 0; step < count; step++)
        {
            var index = direction == VfpDirection.Inbound ? step : count - 1 - step;
            if (!PassLayer(Layers[index].Groups(direction), ref key, ref rewrite, path, ref length, out var blocked))
            {
                if (!blocked)
                    path[length++] = ~index;
                return VfpVerdict.Block;
            }
        }
        return VfpVerdict.Allow;
    }

    /// <summary>Whether some group of the layer allows the packet; <paramref name="blocked"/> says a block rule decided otherwise.</summary>
    private bool PassLayer(CompiledGroup[] groups, ref FlowKey key, ref FlowRewrite rewrite, Span<int> path, ref int length, out bool blocked)
    {
        blocked = false;
        foreach (var group in groups)
        {
            var hit = group.Classifier.Classify(in key);
            if (hit < 0)
                continue;
            var index = group.Rules[hit];
            var rule = Rules[index];
            path[length++] = index;
            if (group.Replies)
            {
                rewrite.Add(rule.Reply, ref key);
                return true;
            }
            switch (rule.Action)
            {
                case VfpAction.Count:
                    continue;
                case VfpAction.Block:
                    blocked = true;
                    return false;
                case VfpAction.DestinationNat:
                    rewrite.Add(rule.Forward, ref key);
                    return true;
                default:
                    return true;
            }
        }
        return false;
    }

    private int PathBound(VfpDirection direction) => Layers.Sum(l => l.Groups(direction).Length + 1);

    private static CompiledRule Compile(VfpRule rule, int layer)
    {
        // The policy checked every rule, which parsed a dnat rule's endpoints.
        if (rule.Action != VfpAction.DestinationNat)
            return new CompiledRule(rule, layer, default, default);
        return new CompiledRule(rule, layer, new NatRewrite(false, rule.Dnat!.DipEndpoint), new NatRewrite(true, rule.Dnat.VipEndpoint));
    }

    private static CompiledGroup[] Groups(VfpPolicy policy, CompiledRule[] rules, string layer, VfpDirection direction)
    {
        var groups = new List<CompiledGroup>();
        var opposite = direction == VfpDirection.Inbound ? VfpDirection.Outbound : VfpDirection.Inbound;
        var replies = Indices(rules, r => r.Rule.Layer == layer && r.Rule.Direction == opposite && r.Action == VfpAction.DestinationNat);
        if (replies.Length > 0)
            groups.Add(new CompiledGroup(Classifier.Compile([.. replies.Select(i => new ClassifierRule(rules[i].Rule.Priority, ReplyConditions(rules[i].Rule)))]), replies, replies: true));
        foreach (var group in policy.Groups.Where(g => g.Layer == layer && g.Direction == direction).Select((g, i) => (Group: g, Index: i)).OrderBy(g => g.Group.Priority).ThenBy(g => g.Index))
        {
            var members = Indices(rules, r => r.Rule.Layer == layer && r.Rule.Direction == direction && r.Rule.Group == group.Group.Name);
            groups.Add(new CompiledGroup(Classifier.Compile([.. members.Select(i => new ClassifierRule(rules[i].Rule.Priority, rules[i].Rule.Conditions("rule")))]), members, replies: false));
        }
        return [.. groups];
    }

    private static int[] Indices(CompiledRule[] rules, Func<CompiledRule, bool> where) =>
        [.. Enumerable.Range(0, rules.Length).Where(i => where(rules[i]))];

    /// <summary>A dnat rule's conditions seen from the reply: its match with source and destination swapped, from the direct endpoint.</summary>
    private static List<FieldMatch> ReplyConditions(VfpRule rule)
    {
        var dip = rule.Dnat!.DipEndpoint;
        var conditions = rule.Conditions("rule")
            .Where(m => m.Field is not (MatchField.DestinationIp or MatchField.DestinationPort))
            .Select(m => m with { Field = Swapped(m.Field) })
            .ToList();
        conditions.Add(FieldMatch.Equal(MatchField.SourceIp, PacketParser.MapIpv4(dip.Address)));
        if (dip.HasPort)
            conditions.Add(FieldMatch.Equal(MatchField.SourcePort, (UInt128)dip.Port));
        return conditions;
    }

    private static MatchField Swapped(MatchField field) => field switch
    {
        MatchField.SourceIp => MatchField.DestinationIp,
        MatchField.DestinationIp => MatchField.SourceIp,
        MatchField.SourcePort => MatchField.DestinationPort,
        MatchField.DestinationPort => MatchField.SourcePort,
        MatchField.SourceMac => MatchField.DestinationMac,
        MatchField.DestinationMac => MatchField.SourceMac,
        _ => field,
    };
}
