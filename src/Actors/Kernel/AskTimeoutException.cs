namespace PdCluster.Actors.Kernel;

/// <summary>An Ask got no reply in time.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);
