namespace PdCluster.Queues.Buffers;

/// <summary>A buffer handle was misused: returned twice, used after return, or out of range.</summary>
public sealed class BufferPoolException(string message) : InvalidOperationException(message);
