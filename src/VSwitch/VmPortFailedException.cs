namespace PdCluster.VSwitch;

/// <summary>A VM port's interface failed under it (the VM crashed, its interface vanished): the port's actor fails with it.</summary>
public sealed class VmPortFailedException(string message) : Exception(message);
