namespace PdCluster.Node.Configuration;

/// <summary>A configuration file is wrong: the message names the file, the key and the problem.</summary>
public sealed class ConfigException(string message) : Exception(message);
