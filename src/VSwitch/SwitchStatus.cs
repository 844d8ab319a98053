namespace PdCluster.VSwitch;

/// <summary>
/// A switch's state: its counters, every VM port as the listing shows it, the VMs whose port failed for good (crashed),
/// why the external port stopped forwarding (<see cref="AdapterFailure"/>, null while it forwards), and which adapter carries it.
/// </summary>
public sealed record SwitchStatus(string Name, bool VfpEnabled, long FromWire, long ToWire, long HandedToOs, long Flooded, long Dropped,
    IReadOnlyList<PortStatus> Ports, IReadOnlyList<string> CrashedVms, string? AdapterFailure)
{
    /// <summary>The adapter whose queues are the external port now (a team survivor after a failover), null while the port is down.</summary>
    public string? ExternalAdapter { get; init; }

    /// <summary>How many times the external port reopened after its adapter was surprise-removed (on the adapter arrived again, or a team survivor).</summary>
    public long ExternalReopens { get; init; }
}
