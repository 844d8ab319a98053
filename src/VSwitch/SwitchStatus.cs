namespace PdCluster.VSwitch;

/// <summary>
/// A switch's state: its counters, every VM port as the listing shows it, the VMs whose port failed for good (crashed),
/// and why the external port stopped forwarding (<see cref="AdapterFailure"/>, null while it forwards).
/// </summary>
public sealed record SwitchStatus(string Name, bool VfpEnabled, long FromWire, long ToWire, long HandedToOs, long Flooded, long Dropped,
    IReadOnlyList<PortStatus> Ports, IReadOnlyList<string> CrashedVms, string? AdapterFailure);
