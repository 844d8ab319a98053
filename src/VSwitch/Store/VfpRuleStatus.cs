using System.Text.Json.Serialization;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// Where a node's VFP rules stand, written by its <see cref="VSwitchAgent"/> to <c>/pd/&lt;cluster&gt;/vswitch-status/&lt;node&gt;</c>
/// after every change it applies: the store revision applied through, the rules it refused (the last good
/// version of each stays in force, and the rest apply), its switches' external ports that went down or moved, the
/// switches it runs, and how each VM's last start on them went.
/// </summary>
public sealed record VfpRuleStatus(string Node, long AppliedRevision, IReadOnlyList<RefusedRule> Refused)
{
    /// <summary>The external ports of the node's switches that went down or moved since their switch started (<c>pd vfp list-ports</c> shows them so).</summary>
    public IReadOnlyList<ExternalPortState> ExternalPorts { get; init; } = [];

    /// <summary>The switches the node runs (their adapter is one of its own).</summary>
    public IReadOnlyList<string> Switches { get; init; } = [];

    /// <summary>How the last start of each VM on the node's switches went (<c>pd vm start</c> waits for it).</summary>
    public IReadOnlyList<VmStartOutcome> VmStarts { get; init; } = [];
}

/// <summary>How a VM's start went on its node: the revision of the VM record that started it, and why it failed (absent when it started).</summary>
public sealed record VmStartOutcome
{
    /// <summary>The VM.</summary>
    public required string Vm { get; init; }

    /// <summary>The store revision of the VM record the start applied.</summary>
    public required long Revision { get; init; }

    /// <summary>Why the VM did not start, absent when it did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

/// <summary>A stored rule the node did not apply: its key and why.</summary>
public sealed record RefusedRule(string Key, string Error);

/// <summary>Where a switch's external port is: on <see cref="Adapter"/>, or down (no adapter) because of <see cref="Failure"/>.</summary>
public sealed record ExternalPortState
{
    /// <summary>The switch.</summary>
    public required string Switch { get; init; }

    /// <summary>The adapter whose queues are the port now, absent while it is down.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Adapter { get; init; }

    /// <summary>Why the port is down, absent while it is up.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Failure { get; init; }
}
