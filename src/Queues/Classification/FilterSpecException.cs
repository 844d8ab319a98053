namespace PdCluster.Queues.Classification;

/// <summary>A receive filter or one of its conditions is malformed; the message says which and why.</summary>
public sealed class FilterSpecException(string message) : ArgumentException(message);
