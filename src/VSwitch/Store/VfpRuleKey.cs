namespace PdCluster.VSwitch.Store;

/// <summary>
/// Where a port's VFP rules live, one key per rule under its switch: <c>/pd/&lt;cluster&gt;/vswitch/&lt;switch&gt;/ports/&lt;port&gt;/rules/&lt;id&gt;</c>,
/// the value a <see cref="Vfp.VfpRule"/> document.
/// </summary>
public sealed record VfpRuleKey(string Switch, string Port, string Id)
{
    /// <summary>The prefix every switch record and rule of <paramref name="cluster"/> lives under.</summary>
    public static string SwitchPrefix(string cluster) => $"/pd/{cluster}/vswitch/";

    /// <summary>The prefix of port <paramref name="port"/>'s rules on switch <paramref name="switchName"/>.</summary>
    public static string PortPrefix(string cluster, string switchName, string port) => $"{SwitchPrefix(cluster)}{switchName}/ports/{port}/rules/";

    /// <summary>The rule's key in <paramref name="cluster"/>.</summary>
    public string Key(string cluster) => PortPrefix(cluster, Switch, Port) + Id;

    /// <summary>The rule a key under <see cref="SwitchPrefix"/> names, or null for a switch record, a key whose id is empty or nested, or any other key.</summary>
    public static VfpRuleKey? TryParse(string cluster, string key) =>
        TryParseFiled(cluster, key) is { } rule && rule.Id.Length > 0 && !rule.Id.Contains('/') ? rule : null;

    /// <summary>
    /// The switch, port and id of any key under a port's rules (<c>…/ports/&lt;port&gt;/rules/</c>), the id empty or
    /// nested (with '/') included; null for any other key.
    /// </summary>
    public static VfpRuleKey? TryParseFiled(string cluster, string key)
    {
        var prefix = SwitchPrefix(cluster);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var parts = key[prefix.Length..].Split('/', 5);
        return parts is [var sw, "ports", var port, "rules", var id] && sw.Length > 0 && port.Length > 0 ? new VfpRuleKey(sw, port, id) : null;
    }

    /// <summary>Why the key of <paramref name="rule"/>, filed under a port's rules, is no rule: its id is empty or nested.</summary>
    public static string BadId(string key, VfpRuleKey rule) =>
        $"{key}: '{rule.Id}' is not a rule id: a rule is one key right under …/ports/<port>/rules/, its id not empty and without '/'; no node applies it (pd vfp rule rm '{rule.Id}' --port {rule.Port} removes it).";

    /// <summary>Why <paramref name="key"/>, under the switches but neither a switch record nor a rule, is read by no one.</summary>
    public static string Misplaced(string key) =>
        $"{key}: is neither a switch record (…/vswitch/<switch>) nor a rule (…/vswitch/<switch>/ports/<port>/rules/<id>); nothing applies it (pd vfp rule rm removes a rule's by its id).";

    /// <summary>Whether <paramref name="key"/> is a switch's own record (<c>…/vswitch/&lt;switch&gt;</c>), not something under it.</summary>
    public static bool IsSwitchRecord(string cluster, string key) =>
        key.StartsWith(SwitchPrefix(cluster), StringComparison.Ordinal) && key.IndexOf('/', SwitchPrefix(cluster).Length) < 0;
}
