namespace PdCluster.VSwitch;

/// <summary>A VM to start with one network adapter on a switch: its name, the adapter's static MAC, and the port the adapter takes.</summary>
/// <param name="Name">The VM's name.</param>
/// <param name="Mac">The adapter's static MAC.</param>
/// <param name="Port">The port's names and numbers on the switch.</param>
/// <param name="Address">The address (CIDR) a namespace VM's interface gets, when its record gives one.</param>
public sealed record VmSpec(string Name, ulong Mac, PortIdentity Port, string? Address = null);
