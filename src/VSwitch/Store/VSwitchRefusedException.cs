namespace PdCluster.VSwitch.Store;

/// <summary>A switch or VM change refused as bad input (an unknown name, a duplicate or malformed MAC, a running VM); nothing was written.</summary>
public sealed class VSwitchRefusedException(string message) : Exception(message);
