namespace PdCluster.VSwitch;

/// <summary>What names a VM port: its port name (a GUID, as Hyper-V names ports), friendly name, switch, number, MAC, VM and NIC.</summary>
/// <param name="PortName">The port's unique name.</param>
/// <param name="FriendlyName">The VM adapter's name, as the operator knows it.</param>
/// <param name="Switch">The switch the port is on.</param>
/// <param name="PortId">The port's number on its switch.</param>
/// <param name="Mac">The VM adapter's static MAC.</param>
/// <param name="VmName">The VM the adapter belongs to.</param>
/// <param name="NicName">The adapter's NIC name (the VM's adapter id).</param>
/// <param name="Mtu">The port's MTU.</param>
public sealed record PortIdentity(string PortName, string FriendlyName, string Switch, int PortId, ulong Mac, string VmName, string NicName, int Mtu = PortIdentity.DefaultMtu)
{
    /// <summary>Ethernet's MTU, Hyper-V's default.</summary>
    public const int DefaultMtu = 1500;
}
