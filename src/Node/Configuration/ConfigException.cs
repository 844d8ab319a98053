namespace PdCluster.Node.Configuration;

/// <summary>A configuration is wrong (a file, or the options that stand in for one): the message names the file or option, the key and the problem.</summary>
public sealed class ConfigException(string message) : Exception(message);
