namespace PdCluster.Provider;

/// <summary>An adapter's options do not suit its provider; the message names the option and the problem.</summary>
public sealed class PdAdapterOptionsException(string message) : Exception(message);
