namespace PdCluster.VSwitch;

/// <summary>A switch's state: its counters, every VM port as the listing shows it, the VMs whose port failed for good (crashed), and whether its adapter was surprise-removed (then no VM's traffic flows).</summary>
public sealed record SwitchStatus(string Name, bool VfpEnabled, long FromWire, long ToWire, long HandedToOs, long Flooded, long Dropped,
    IReadOnlyList<PortStatus> Ports, IReadOnlyList<string> CrashedVms, bool ExternalRemoved = false);
