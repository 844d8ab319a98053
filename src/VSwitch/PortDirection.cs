namespace PdCluster.VSwitch;

/// <summary>Which way a frame crosses a VM port, as VFP names it: inbound to the VM, outbound from it.</summary>
public enum PortDirection : byte
{
    /// <summary>From the switch to the VM.</summary>
    Inbound,

    /// <summary>From the VM to the switch.</summary>
    Outbound,
}
