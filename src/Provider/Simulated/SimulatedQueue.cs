using PdCluster.Concurrency;
using PdCluster.Nic.Counters;
using PdCluster.Nic.SoftNic;
using PdCluster.Queues.Rings;

namespace PdCluster.Provider.Simulated;

/// <summary>A PD queue backed by one SoftNic hardware queue.</summary>
internal sealed class SimulatedQueue(SoftNicQueue hardware, PdQueueParameters parameters) : IPdQueue
{
    public SoftNicQueue Hardware { get; } = hardware;

    public PdQueueType Type => Parameters.Type;

    public PdQueueParameters Parameters { get; } = parameters;

    public int Capacity => Hardware.Capacity;

    public int Outstanding => Hardware.Outstanding;

    public bool IsStopped => Hardware.IsStopped;

    public ReceiveQueueCounters ReceiveCounters => Hardware.ReceiveCounters;

    public TransmitQueueCounters TransmitCounters => Hardware.TransmitCounters;

    public bool HasCompletions => Hardware.HasCompletions;

    public PostAndDrainResult PostAndDrain(ReadOnlySpan<int> post, Span<int> drain) => Hardware.PostAndDrain(post, drain);

    public int QueryQueueDepth() => Hardware.Depth;

    public void FlushQueue() => Hardware.Flush();

    public void RequestDrainNotification(WakeSignal signal) => Hardware.RequestDrainNotification(signal);
}
