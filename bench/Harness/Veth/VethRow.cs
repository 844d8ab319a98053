using System.Text.Json.Serialization;

namespace PdCluster.Bench.Veth;

/// <summary>One path in one placement of the veth benchmark: medians over the run's rounds.</summary>
internal sealed record VethRow(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("placement")] string Placement,
    [property: JsonPropertyName("rounds")] int Rounds,
    [property: JsonPropertyName("offered_pps")] double OfferedPps,
    [property: JsonPropertyName("delivered_pps")] double DeliveredPps,
    [property: JsonPropertyName("delivered_pps_min")] double DeliveredPpsMin,
    [property: JsonPropertyName("delivered_pps_max")] double DeliveredPpsMax,
    [property: JsonPropertyName("loss_pct")] double LossPercent,
    [property: JsonPropertyName("cpu_ns_per_packet")] double? CpuNsPerPacket,
    [property: JsonPropertyName("machine_ns_per_packet")] double MachineNsPerPacket,
    [property: JsonPropertyName("receiver_cpu_pct")] double? ReceiverCpuPercent)
{
    /// <summary>Round trip of probe frames sent by the project's transmit path and reflected by this path (placement A only).</summary>
    [JsonPropertyName("p50_us")]
    public double? P50Us { get; init; }

    /// <inheritdoc cref="P50Us"/>
    [JsonPropertyName("p99_us")]
    public double? P99Us { get; init; }

    /// <inheritdoc cref="P50Us"/>
    [JsonPropertyName("p999_us")]
    public double? P999Us { get; init; }

    /// <summary>Probe frames reflected back, of those sent.</summary>
    [JsonPropertyName("latency_received_pct")]
    public double? LatencyReceivedPercent { get; init; }

    /// <summary>The receiver's CPU with no traffic, % of a core.</summary>
    [JsonPropertyName("idle_cpu_pct")]
    public double? IdleCpuPercent { get; init; }
}
