using PdCluster.Vfp;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// The VFP policy a port gets at each rule count: half the rules inbound, half outbound, each allowing UDP from a
/// source prefix (/24 to /32) to a destination port exact, as a range or any, an ACL's mix of masks as the micro
/// benchmark has it; and the flows' sources, spread over the rules so the flows meet rules all over the table.
/// </summary>
internal static class BenchPolicy
{
    /// <summary>The UDP destination port every flow uses (trafgen's frame too).</summary>
    public const ushort DestinationPort = 9000;

    /// <summary>A policy of <paramref name="rules"/> rules (at least 2), or none for 0.</summary>
    public static VfpPolicy? Make(int rules)
    {
        if (rules == 0)
            return null;
        string[] ports = [$"{DestinationPort}", $"{DestinationPort}-{DestinationPort + 9}", "0-65535"];
        var half = rules / 2;
        VfpRule Rule(int i, VfpDirection direction) => new()
        {
            SchemaVersion = VfpRule.CurrentSchemaVersion, Id = $"{(direction == VfpDirection.Inbound ? "in" : "out")}{i}", Layer = "acl",
            Group = direction == VfpDirection.Inbound ? "in" : "out", Direction = direction, Priority = i, Action = VfpAction.Allow,
            Match = new() { ["protocol"] = "udp", ["sourceIp"] = $"{Source(i)}/{32 - i % 9}", ["destinationPort"] = ports[i / 9 % 3] },
        };
        return new VfpPolicy([new VfpLayer("acl", 1)],
            [new VfpGroup("acl", "in", VfpDirection.Inbound, 1), new VfpGroup("acl", "out", VfpDirection.Outbound, 1)],
            [.. Enumerable.Range(0, half).Select(i => Rule(i, VfpDirection.Inbound)), .. Enumerable.Range(0, rules - half).Select(i => Rule(i, VfpDirection.Outbound))]);
    }

    /// <summary>The source address of flow <paramref name="flow"/> at <paramref name="rules"/> rules: the address of one rule's prefix.</summary>
    public static string FlowSource(int flow, int rules) => Source(rules < 2 ? flow : flow * 7919 % (rules / 2));

    /// <summary>Rule <paramref name="i"/>'s source: 198.18.0.1 for the first (trafgen's source), then on through 198.18.0.0/15.</summary>
    private static string Source(int i) => $"198.18.{i / 250}.{i % 250 + 1}";
}
