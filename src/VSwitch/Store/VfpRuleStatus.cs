using System.Text.Json.Serialization;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// Where a node's VFP rules stand, written by its <see cref="VSwitchAgent"/> to <c>/pd/&lt;cluster&gt;/vswitch-status/&lt;node&gt;</c>
/// after every change it applies: the store revision applied through, the rules it refused (the last good
/// version of each stays in force, and the rest apply), the switch and VM records it refused, its switches' external
/// ports (one per switch it runs), how each VM's last start on them went, and the node's teams (which <c>pd vswitch create</c> reads to refuse
/// two switches on one team's adapters).
/// </summary>
public sealed record VfpRuleStatus(string Node, long AppliedRevision, IReadOnlyList<RefusedRecord> Refused)
{
    /// <summary>The external port of each switch the node runs: on which adapter, or down (<c>pd vfp list-ports</c> shows them so).</summary>
    public IReadOnlyList<ExternalPortState> ExternalPorts { get; init; } = [];

    /// <summary>The node's teams of adapters, each with its members in the team's order.</summary>
    public IReadOnlyList<NodeTeam> Teams { get; init; } = [];

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

/// <summary>A team of a node's adapters: its name and its members' names, as the node's configuration gives them.</summary>
public sealed record NodeTeam(string Name, IReadOnlyList<string> Members);

/// <summary>A stored rule, switch or VM record the node did not apply: its key and why.</summary>
public sealed record RefusedRecord(string Key, string Error)
{
    /// <summary>
    /// The last good version of the record, which the node keeps in force instead (and takes up again after a restart
    /// while the record is still refused); absent when it had none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InForce { get; init; }
}

/// <summary>Where a switch's external port is: on <see cref="Adapter"/>, or down (no adapter) because of <see cref="Failure"/>.</summary>
public sealed record ExternalPortState
{
    /// <summary>The switch.</summary>
    public required string Switch { get; init; }

    /// <summary>The adapter whose queues are the port now, absent while it is down.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Adapter { get; init; }

    /// <summary>The MAC of the adapter carrying the port, as <c>02:00:00:00:01:02</c>; absent while it is down.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mac { get; init; }

    /// <summary>Why the port is down, absent while it is up.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Failure { get; init; }
}
