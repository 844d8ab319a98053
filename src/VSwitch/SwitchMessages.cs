namespace PdCluster.VSwitch;

/// <summary>Starts a VM and puts its adapter's port on the switch; answered with <see cref="VmStarted"/> or <see cref="VmRefused"/>.</summary>
public sealed record StartVm(VmSpec Spec);

/// <summary>The VM runs and its port forwards.</summary>
public sealed record VmStarted(string Vm, string PortName);

/// <summary>The VM was not started, and why; nothing changed.</summary>
public sealed record VmRefused(string Vm, string Error);

/// <summary>Stops a VM: its port leaves the switch, its buffers go home, its interface is torn down; answered with <see cref="VmStopped"/>.</summary>
public sealed record StopVm(string Vm);

/// <summary>The VM is stopped (or was not running).</summary>
public sealed record VmStopped(string Vm);

/// <summary>Turns the VFP extension on or off for every port of the switch.</summary>
public sealed record SetVfpExtension(bool Enabled);

/// <summary>Disables VFP on a port (its traffic then passes unfiltered) or enables it again.</summary>
public sealed record SetPortDisabled(string PortName, bool Disabled);

/// <summary>Asks for a <see cref="SwitchStatus"/>.</summary>
public sealed record GetSwitchStatus;

/// <summary>Asks a <see cref="VSwitchAgent"/> for the status of every switch it runs: answered with a list of <see cref="SwitchStatus"/>.</summary>
public sealed record GetSwitchStatuses;

/// <summary>Asks a <see cref="VSwitchAgent"/> for its <see cref="Store.VfpRuleStatus"/>.</summary>
public sealed record GetVfpRuleStatus;

/// <summary>
/// A switch's external port went down (<paramref name="Adapter"/> null, <paramref name="Failure"/> why) or came up on
/// <paramref name="Adapter"/> (the adapter arrived again, or a team survivor); the switch tells its parent.
/// </summary>
public sealed record ExternalPortChanged(string Switch, string? Adapter, string? Failure);
