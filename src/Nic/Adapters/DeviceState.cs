namespace PdCluster.Nic.Adapters;

/// <summary>An adapter's link, admin, power and presence state at one instant.</summary>
public readonly record struct DeviceState(bool LinkUp, bool Enabled, bool FullPower, bool Present);
