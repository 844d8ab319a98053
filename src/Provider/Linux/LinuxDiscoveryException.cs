namespace PdCluster.Provider.Linux;

/// <summary>A Linux interface could not be described: it is missing, its namespace cannot be entered, or the kernel refused a question; the message says which.</summary>
public sealed class LinuxDiscoveryException(string message) : Exception(message);
