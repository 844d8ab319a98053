using System.Text.Json.Serialization;

namespace PdCluster.VSwitch.Store;

/// <summary>One row of <c>pd vm ls</c> (Get-VM): a VM, its state (Running or Off) and its network adapters; or a VM record that does not hold, with its problem.</summary>
public sealed record VmListing(string Name, string State, IReadOnlyList<VmAdapterDocument> Adapters)
{
    /// <summary>Why the record is left out; null for a VM that holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Problem { get; init; }
}
