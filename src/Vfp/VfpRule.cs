using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// One VFP rule as stored and written by hand, for example
/// <c>{"schemaVersion":1,"id":"web","layer":"acl","group":"in","direction":"inbound","priority":10,"match":{"protocol":"tcp","destinationPort":"80"},"action":"allow"}</c>:
/// the layer and group it belongs to, the direction it applies to, a priority (lower wins), conditions in the
/// filter syntax (<see cref="FilterSpec.Match"/>) and an action; a <c>dnat</c> rule carries its <see cref="Dnat"/>.
/// </summary>
public sealed class VfpRule
{
    /// <summary>The schema this build writes and the newest it reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The document's schema; a newer one is refused, never half read.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>Unique name of the rule on its port.</summary>
    public required string Id { get; init; }

    /// <summary>The layer the rule belongs to.</summary>
    public required string Layer { get; init; }

    /// <summary>The group, within the layer and direction, the rule belongs to.</summary>
    public required string Group { get; init; }

    /// <summary>The packets the rule sees: inbound (to the VM) or outbound (from it).</summary>
    public required VfpDirection Direction { get; init; }

    /// <summary>Lower values win within the group; among equals the rule given first wins.</summary>
    public int Priority { get; init; }

    /// <summary>Field name to condition text, as a receive filter's match; absent or empty matches every packet.</summary>
    public Dictionary<string, string>? Match { get; init; }

    /// <summary>What the rule does with a packet it matches.</summary>
    public required VfpAction Action { get; init; }

    /// <summary>The rewrite of a <see cref="VfpAction.DestinationNat"/> rule (and only of one).</summary>
    public DestinationNat? Dnat { get; init; }

    /// <summary>The document as it is stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, VfpRuleJson.Default.VfpRule);

    /// <summary>
    /// Reads and checks a rule; <paramref name="source"/> (a file or a store key) names it in errors, and
    /// <paramref name="expectedId"/>, when given, is the id its key names. Every problem is a
    /// <see cref="VfpRuleException"/> naming the source, the key path and the problem.
    /// </summary>
    public static VfpRule Read(string json, string source, string? expectedId = null)
    {
        VfpRule rule;
        try
        {
            rule = JsonInput.Read(json, VfpRuleJson.Default.VfpRule, source, root => RefuseNewerSchema(root, source));
        }
        catch (InputException e)
        {
            throw new VfpRuleException(e.Message, e.Problem);
        }
        rule.Check(source);
        if (expectedId is not null && rule.Id != expectedId)
            throw Fail(source, "id", $"'{rule.Id}' differs from the id its key names ('{expectedId}').");
        return rule;
    }

    /// <summary>Checks a rule built in code or read: names, priority, conditions and the action's rewrite.</summary>
    public void Check(string source)
    {
        if (SchemaVersion is < 1 or > CurrentSchemaVersion)
            throw Fail(source, "schemaVersion", $"must be {(CurrentSchemaVersion == 1 ? "1" : $"1 to {CurrentSchemaVersion}")} (got {SchemaVersion}).");
        foreach (var (key, name) in new[] { ("id", Id), ("layer", Layer), ("group", Group) })
        {
            if (!VfpNames.IsName(name))
                throw Fail(source, key, $"'{name}' is not a name: {VfpNames.Rule}.");
        }
        if (Priority < 0)
            throw Fail(source, "priority", $"must be 0 or more (got {Priority}); lower wins.");
        if (!Enum.IsDefined(Direction))
            throw Fail(source, "direction", $"must be inbound or outbound (got {(int)Direction}).");
        if (!Enum.IsDefined(Action))
            throw Fail(source, "action", $"must be one of {string.Join(", ", JsonEnumConverter<VfpAction>.Names)} (got {(int)Action}).");
        Conditions(source);
    }

    /// <summary>
    /// The rule's conditions for the classifier: its match, plus the virtual endpoint for a dnat rule. Throws a
    /// <see cref="VfpRuleException"/> naming <paramref name="source"/> for a malformed rule.
    /// </summary>
    internal List<FieldMatch> Conditions(string source)
    {
        var matches = FilterSpec.ParseMatch(Match, (key, problem) => Fail(source, key, problem));
        if (Action != VfpAction.DestinationNat)
        {
            if (Dnat is not null)
                throw Fail(source, "dnat", $"is only for action dnat (the action is {JsonEnumConverter<VfpAction>.Names[(int)Action]}).");
            return matches;
        }
        if (Dnat is null)
            throw Fail(source, "dnat", "action dnat needs {\"vip\":\"a.b.c.d[:port]\",\"dip\":\"a.b.c.d[:port]\"}.");
        Dnat.Parse((key, problem) => Fail(source, $"dnat.{key}", problem));
        foreach (var field in new[] { MatchField.DestinationIp, MatchField.DestinationPort })
        {
            if (matches.Any(m => m.Field == field))
                throw Fail(source, $"match.{JsonNamingPolicy.CamelCase.ConvertName(field.ToString())}", "a dnat rule matches its vip; leave this condition out.");
        }
        var protocol = matches.FirstOrDefault(m => m.Field == MatchField.Protocol);
        if (Dnat.VipEndpoint.HasPort && !(protocol.Field == MatchField.Protocol && protocol.Type == FieldMatchType.Equal && (protocol.Value == IpProtocol.Tcp || protocol.Value == IpProtocol.Udp)))
            throw Fail(source, "match.protocol", "a dnat rule with ports must match protocol tcp or udp.");
        matches.Add(FieldMatch.Equal(MatchField.DestinationIp, PacketParser.MapIpv4(Dnat.VipEndpoint.Address)));
        if (Dnat.VipEndpoint.HasPort)
            matches.Add(FieldMatch.Equal(MatchField.DestinationPort, (UInt128)Dnat.VipEndpoint.Port));
        return matches;
    }

    /// <summary>A document from a newer pd is refused as such, before its unknown keys could be taken for typos.</summary>
    private static void RefuseNewerSchema(JsonElement root, string source)
    {
        if (JsonInput.NewerSchemaVersion(root, CurrentSchemaVersion) is { } number)
            throw Fail(source, "schemaVersion", $"{number} is newer than this pd reads ({CurrentSchemaVersion}); upgrade pd on this node to read it.");
    }

    private static VfpRuleException Fail(string source, string key, string problem) => new($"{source}: {key}: {problem}", problem);
}
