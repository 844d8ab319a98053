using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider;

/// <summary>What a provider advertises; a client asks only for what is advertised, and a provider refuses the rest.</summary>
/// <param name="ModerationInterval">Whether the provider delays a drain notification by <see cref="PdQueueParameters.ModerationInterval"/>.</param>
/// <param name="ModerationCount">Whether the provider delays a drain notification until <see cref="PdQueueParameters.ModerationCount"/> completions.</param>
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
