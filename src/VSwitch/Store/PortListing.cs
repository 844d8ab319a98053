namespace PdCluster.VSwitch.Store;

/// <summary>One row of <c>pd vfp list-ports</c>: the fields <c>vfpctrl /list-vmswitch-port</c> shows, with the port's VFP state.</summary>
public sealed record PortListing(string PortName, string FriendlyName, string Switch, int PortId, string Type, bool Initialized, bool MacLearning,
    string NicName, int Mtu, string Mac, string? VmName, bool Blocked, bool Disabled, int RuleCount);
