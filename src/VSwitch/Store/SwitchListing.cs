using System.Text.Json.Serialization;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// One row of <c>pd vswitch ls</c> (Get-VMSwitch): a switch, its external adapter, its VM ports, and where its external
/// port runs as its node reports it; or a switch record that does not hold, with its problem.
/// </summary>
public sealed record SwitchListing(string Name, string Adapter, bool AllowManagementOs, bool VfpEnabled, int VmPorts, bool Initialized, string NicName, string Mac)
{
    /// <summary>Why the external port is not initialized (down, or no node runs the switch); null while it runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Down { get; init; }

    /// <summary>Why the record is left out; null for a switch that holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Problem { get; init; }
}
