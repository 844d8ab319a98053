namespace PdCluster.VSwitch.Store;

/// <summary>A VM as stored under <c>/pd/&lt;cluster&gt;/vms/&lt;name&gt;</c>: whether it runs, and its network adapters with their ports.</summary>
public sealed record VmDocument
{
    /// <summary>The schema version of the document.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>The VM's name (the key's last segment).</summary>
    public required string Name { get; init; }

    /// <summary>Whether the VM is running.</summary>
    public bool Running { get; init; }

    /// <summary>The VM's network adapters.</summary>
    public IReadOnlyList<VmAdapterDocument> Adapters { get; init; } = [];
}
