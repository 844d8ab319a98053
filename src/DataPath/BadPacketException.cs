namespace PdCluster.DataPath;

/// <summary>A stage met a packet it cannot process; the queue's supervisor resumes it (the packet is dropped with its burst).</summary>
public sealed class BadPacketException(string message) : Exception(message);
