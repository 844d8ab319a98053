namespace PdCluster.Vfp;

/// <summary>
/// A port's whole VFP configuration, immutable: its layers, their groups and the rules in them. Every rule's layer
/// and group (in the rule's direction) must exist; names are unique where they must be.
/// </summary>
public sealed class VfpPolicy
{
    /// <summary>Checks and holds the configuration; throws <see cref="VfpRuleException"/> naming <paramref name="source"/>, the item and the problem.</summary>
    public VfpPolicy(IReadOnlyList<VfpLayer> layers, IReadOnlyList<VfpGroup> groups, IReadOnlyList<VfpRule> rules, string source = "policy")
    {
        var layerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (!VfpNames.IsName(layer.Name))
                throw Fail(source, "layer", layer.Name, $"is not a name: {VfpNames.Rule}.");
            if (!layerNames.Add(layer.Name))
                throw Fail(source, "layer", layer.Name, "is defined twice.");
        }
        var groupNames = new HashSet<(string, VfpDirection, string)>();
        foreach (var group in groups)
        {
            if (!VfpNames.IsName(group.Name))
                throw Fail(source, "group", group.Name, $"is not a name: {VfpNames.Rule}.");
            if (!layerNames.Contains(group.Layer))
                throw Fail(source, "group", group.Name, $"names layer '{group.Layer}', which the policy does not define.");
            if (!groupNames.Add((group.Layer, group.Direction, group.Name)))
                throw Fail(source, "group", group.Name, $"is defined twice in layer '{group.Layer}' for {Name(group.Direction)}.");
        }
        var ruleIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            rule.Check($"{source}: rule '{rule.Id}'");
            if (!ruleIds.Add(rule.Id))
                throw Fail(source, "rule", rule.Id, "is defined twice; rule ids are unique on a port.");
            if (!groupNames.Contains((rule.Layer, rule.Direction, rule.Group)))
                throw Fail(source, "rule", rule.Id, $"names group '{rule.Group}' of layer '{rule.Layer}' for {Name(rule.Direction)}, which the policy does not define.");
        }
        Layers = layers;
        Groups = groups;
        Rules = rules;
    }

    /// <summary>
    /// The policy of a port whose rules are stored one by one (the cluster store's form): the layers and groups the
    /// rules name, layers passed in the ordinal order of their names (inbound; reverse outbound), the groups of a layer
    /// in the ordinal order of theirs, and the rules in the order given.
    /// </summary>
    public static VfpPolicy FromRules(IReadOnlyList<VfpRule> rules, string source = "policy")
    {
        var layers = rules.Select(r => r.Layer).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select((name, i) => new VfpLayer(name, i)).ToList();
        var groups = rules.Select(r => (r.Layer, r.Group, r.Direction)).Distinct().OrderBy(g => g.Group, StringComparer.Ordinal)
            .Select((g, i) => new VfpGroup(g.Layer, g.Group, g.Direction, i)).ToList();
        return new VfpPolicy(layers, groups, rules, source);
    }

    /// <summary>A policy with nothing in it: an enabled port with it blocks everything.</summary>
    public static VfpPolicy Empty { get; } = new([], [], []);

    /// <summary>The layers.</summary>
    public IReadOnlyList<VfpLayer> Layers { get; }

    /// <summary>The groups of every layer.</summary>
    public IReadOnlyList<VfpGroup> Groups { get; }

    /// <summary>The rules, each in its layer's group.</summary>
    public IReadOnlyList<VfpRule> Rules { get; }

    private static string Name(VfpDirection direction) => direction == VfpDirection.Inbound ? "inbound" : "outbound";

    private static VfpRuleException Fail(string source, string kind, string name, string problem) =>
        new($"{source}: {kind} '{name}': {problem}", problem);
}
