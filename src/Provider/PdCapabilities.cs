using PdCluster.Nic.Counters;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider;

/// <summary>What a provider advertises.</summary>
public sealed record PdCapabilities(
    int MaxReceiveQueues,
    int MaxTransmitQueues,
    int MaxQueueSize,
    int MaxPartialBufferCount,
    int FilterContextBits,
    IReadOnlyList<MatchField> SupportedMatchFields,
    IReadOnlyList<FieldMatchType> SupportedMatchTypes,
    bool FilterCounters,
    bool DrainNotification,
    bool ModerationInterval,
    bool ModerationCount);
