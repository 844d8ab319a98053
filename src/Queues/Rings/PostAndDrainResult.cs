namespace PdCluster.Queues.Rings;

/// <summary>What one <c>PostAndDrain</c> call did: PD's <c>PostAndDrainEx</c> counts and flags.</summary>
/// <param name="Posted">Buffers taken from the head of the post list.</param>
/// <param name="Drained">Completed buffers written to the drain list.</param>
/// <param name="DepthThresholdReached">RX: free-buffer depth fell below the threshold. TX: unsent depth rose above it.</param>
/// <param name="Failed">The queue failed (device removed) or was flushed: nothing more is posted; drain what is left.</param>
public readonly record struct PostAndDrainResult(int Posted, int Drained, bool DepthThresholdReached, bool Failed);
