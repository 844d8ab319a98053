namespace PdCluster.VSwitch.Store;

/// <summary>One row of <c>pd vfp list-ports</c>: the fields <c>vfpctrl /list-vmswitch-port</c> shows, with the port's VFP state.</summary>
public sealed record PortListing(string PortName, string FriendlyName, string Switch, int PortId, string Type, bool Initialized, bool MacLearning,
    string NicName, int Mtu, string Mac, string? VmName, bool Blocked, bool Disabled, int RuleCount)
{
    /// <summary>Why an external port is down (its adapter surprise-removed and none of its team present), as its node reported it; null while it is up.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Down { get; init; }

    /// <summary>Why a switch or VM record (named by its key) is left out of the listing; null on a port's row.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Problem { get; init; }
}
