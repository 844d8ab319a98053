namespace PdCluster.Queues.Classification;

/// <summary>What a matching filter does to a packet in the software pipeline.</summary>
public enum FilterAction
{
    /// <summary>Count the packet and let it continue.</summary>
    Count,
    /// <summary>Count and drop it.</summary>
    Drop,
    /// <summary>Count it and hand it to the pipeline of the filter's <see cref="FilterSpec.Queue"/>.</summary>
    Steer,
    /// <summary>Count it and hand it back to the operating system's normal receive path (PD's OS path).</summary>
    Os,
}
