using System.Text.Json.Serialization;

namespace PdCluster.VSwitch.Store;

/// <summary>One network adapter of a stored VM: its switch, static MAC, the port it takes, and whether VFP is disabled on that port.</summary>
public sealed record VmAdapterDocument
{
    /// <summary>The adapter's name (Hyper-V's "Network Adapter").</summary>
    public required string Name { get; init; }

    /// <summary>The switch the adapter is connected to.</summary>
    public required string Switch { get; init; }

    /// <summary>The static MAC, as <c>00:15:5d:00:00:01</c>.</summary>
    public required string StaticMac { get; init; }

    /// <summary>The port's unique name, a GUID.</summary>
    public required string PortName { get; init; }

    /// <summary>The port's number on its switch.</summary>
    public required int PortId { get; init; }

    /// <summary>The address (CIDR, like 198.18.1.10/15) the VM's interface gets where the VM is a network namespace; null for none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Address { get; init; }

    /// <summary>Whether VFP is disabled on the port (<c>pd vfp disable-port</c>); a start of the VM enables it again.</summary>
    public bool VfpDisabled { get; init; }
}
