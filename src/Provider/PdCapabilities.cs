using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider;

/// <summary>What a provider advertises; a client asks only for what is advertised, and a provider refuses the rest.</summary>
/// <param name="ModerationInterval">Whether the provider delays a drain notification by <see cref="PdQueueParameters.ModerationInterval"/>.</param>
/// <param name="ModerationCount">Whether the provider delays a drain notification until <see cref="PdQueueParameters.ModerationCount"/> completions.</param>
/// <param name="OsReceivesEveryFrame">Whether PD gets a copy while the OS's normal path receives every frame too, the ones
/// PD queues take included (AF_PACKET): the OS path then has nothing to reinject, and matched traffic is not kept from the OS.</param>
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
    bool ModerationCount,
    bool OsReceivesEveryFrame = false);
