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

    /// <summary>The rule a key under <see cref="SwitchPrefix"/> names, or null for a switch record or any other key.</summary>
    public static VfpRuleKey? TryParse(string cluster, string key)
    {
        var prefix = SwitchPrefix(cluster);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var parts = key[prefix.Length..].Split('/');
        return parts is [var sw, "ports", var port, "rules", var id] && sw.Length > 0 && port.Length > 0 && id.Length > 0 ? new VfpRuleKey(sw, port, id) : null;
    }

    /// <summary>Whether <paramref name="key"/> is a switch's own record (<c>…/vswitch/&lt;switch&gt;</c>), not something under it.</summary>
    public static bool IsSwitchRecord(string cluster, string key) =>
        key.StartsWith(SwitchPrefix(cluster), StringComparison.Ordinal) && key.IndexOf('/', SwitchPrefix(cluster).Length) < 0;
}
