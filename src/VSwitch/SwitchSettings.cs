using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>A switch as its supervisor builds it.</summary>
/// <param name="Name">The switch's name.</param>
/// <param name="External">The PD adapter whose queues are the external port.</param>
/// <param name="Pool">The buffers of every port of the switch.</param>
/// <param name="VmHost">Where the switch's VMs run.</param>
/// <param name="AllowManagementOs">Whether the host's own stack has a port (the adapter's MAC), as <c>-AllowManagementOS</c>.</param>
/// <param name="VfpEnabled">Whether the VFP extension is enabled on the switch.</param>
public sealed record SwitchSettings(string Name, PdAdapter External, BufferPool Pool, IVmHost VmHost, bool AllowManagementOs = false, bool VfpEnabled = false)
{
    /// <summary>Ring slots of the external port's queues.</summary>
    public int QueueSize { get; init; } = 1024;

    /// <summary>
    /// The other members of <see cref="External"/>'s team, in the team's order: when the adapter carrying the external
    /// port is surprise-removed, the port reopens on the first member present, <see cref="External"/> included. Empty
    /// for a switch on a lone adapter.
    /// </summary>
    public IReadOnlyList<PdAdapter> Standby { get; init; } = [];

    /// <summary>
    /// The node's names for <see cref="External"/> and each of <see cref="Standby"/>, in that order: what the switch
    /// reports them by and borrows them under. Null: the adapters' own names.
    /// </summary>
    public IReadOnlyList<string>? AdapterNames { get; init; }

    /// <summary>The names of <see cref="External"/> and each of <see cref="Standby"/>, in that order.</summary>
    public IReadOnlyList<string> MemberNames => AdapterNames ?? [External.Info.Name, .. Standby.Select(a => a.Info.Name)];

    /// <summary>The VFP state of the switch's ports, kept across VM restarts and shared with a switch that takes over.</summary>
    public VfpPorts VfpPorts { get; init; } = new();
}
