namespace PdCluster.VSwitch;

/// <summary>A switch's state: its counters, every VM port as the listing shows it, and the VMs whose port failed for good (crashed).</summary>
public sealed record SwitchStatus(string Name, bool VfpEnabled, long FromWire, long ToWire, long HandedToOs, long Flooded, long Dropped,
    IReadOnlyList<PortStatus> Ports, IReadOnlyList<string> CrashedVms);
