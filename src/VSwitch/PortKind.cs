namespace PdCluster.VSwitch;

/// <summary>What a switch port connects, as <c>vfpctrl /list-vmswitch-port</c> types it.</summary>
public enum PortKind : byte
{
    /// <summary>The PD adapter's queues: the wire.</summary>
    External,

    /// <summary>A VM's network adapter.</summary>
    Vm,

    /// <summary>The host's own stack sharing the adapter (<c>--allow-management-os</c>).</summary>
    ManagementOs,
}
