namespace PdCluster.VSwitch.Store;

/// <summary>A switch as stored under <c>/pd/&lt;cluster&gt;/vswitch/&lt;name&gt;</c>: its external adapter, whether the management OS shares it, and whether VFP is enabled.</summary>
public sealed record SwitchDocument
{
    /// <summary>The schema version of the document.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>The switch's name (the key's last segment).</summary>
    public required string Name { get; init; }

    /// <summary>The PD adapter whose queues are the external port.</summary>
    public required string Adapter { get; init; }

    /// <summary>Whether the host's own stack has a port on the switch.</summary>
    public bool AllowManagementOs { get; init; }

    /// <summary>Whether the VFP extension is enabled.</summary>
    public bool VfpEnabled { get; init; }
}
