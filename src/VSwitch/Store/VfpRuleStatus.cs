namespace PdCluster.VSwitch.Store;

/// <summary>
/// Where a node's VFP rules stand, written by its <see cref="VSwitchAgent"/> to <c>/pd/&lt;cluster&gt;/vswitch-status/&lt;node&gt;</c>
/// after every change it applies: the store revision applied through, and the rules it refused (the last good
/// version of each stays in force, and the rest apply).
/// </summary>
public sealed record VfpRuleStatus(string Node, long AppliedRevision, IReadOnlyList<RefusedRule> Refused);

/// <summary>A stored rule the node did not apply: its key and why.</summary>
public sealed record RefusedRule(string Key, string Error);

