namespace PdCluster.Queues.Buffers;

/// <summary>Flags a provider sets on a completed buffer.</summary>
[Flags]
public enum BufferFlags : uint
{
    None = 0,

    /// <summary>The buffer came back without data because the queue was flushed or the adapter went away.</summary>
    Flushed = 1,

    /// <summary>A receive filter matched; <see cref="BufferDescriptor.RxFilterContext"/> holds its context.</summary>
    FilterMatched = 2,

    /// <summary>The adapter computed <see cref="BufferDescriptor.RxHashValue"/>.</summary>
    HashValid = 4,
}
