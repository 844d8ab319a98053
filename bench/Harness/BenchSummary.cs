using System.Text.Json.Serialization;

namespace PdCluster.Bench;

/// <summary>The ratios the targets are stated in, computed from results of the same run.</summary>
internal sealed record BenchSummary(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("pd_forward_1_vs_raw_ring")] double? ForwardVsRawRing,
    [property: JsonPropertyName("pd_forward_1_vs_raw_ring_per_busy_core")] double? ForwardVsRawRingPerBusyCore,
    [property: JsonPropertyName("pd_forward_1_vs_traditional")] double? ForwardVsTraditional,
    [property: JsonPropertyName("pd_forward_1_vs_traditional_channel")] double? ForwardVsTraditionalChannel,
    [property: JsonPropertyName("pd_forward_1_vs_socket")] double? ForwardVsSocket,
    [property: JsonPropertyName("pd_forward_100k_vs_1")] double? HundredThousandVsOne,
    [property: JsonPropertyName("pd_forward_actors_vs_direct")] double? ActorsVsDirect,
    [property: JsonPropertyName("classifier_100k_vs_linear")] double? ClassifierVsLinear);
