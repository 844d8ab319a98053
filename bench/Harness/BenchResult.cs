using System.Text.Json.Serialization;

namespace PdCluster.Bench;

/// <summary>One line of benchmark output: a scenario at one setting.</summary>
internal sealed record BenchResult(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("rules")] int Rules,
    [property: JsonPropertyName("mpps")] double Mpps,
    [property: JsonPropertyName("alloc_bytes_per_packet")] double AllocBytesPerPacket,
    [property: JsonPropertyName("p50_us")] double P50Us,
    [property: JsonPropertyName("p99_us")] double P99Us,
    [property: JsonPropertyName("p999_us")] double P999Us,
    [property: JsonPropertyName("packets")] long Packets,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("baseline_mpps")] double? BaselineMpps = null,
    [property: JsonPropertyName("note")] string? Note = null,
    [property: JsonPropertyName("rounds")] int Rounds = 1,
    [property: JsonPropertyName("mpps_min")] double? MppsMin = null,
    [property: JsonPropertyName("mpps_max")] double? MppsMax = null)
{
    /// <summary>pd-forward: the same scenario without the actor runtime, same run.</summary>
    [JsonPropertyName("without_actors_mpps")]
    public double? WithoutActorsMpps { get; init; }

    /// <summary>pd-forward, raw-ring: the share of the window the forwarding core spent in cycles that found work.</summary>
    [JsonPropertyName("busy_percent")]
    public double? BusyPercent { get; init; }

    /// <summary>pd-forward, raw-ring: packets forwarded per second of the forwarding core's busy time.</summary>
    [JsonPropertyName("mpps_per_busy_core")]
    public double? MppsPerBusyCore { get; init; }

    /// <summary>actor-pingpong: Mpps divided by the cores.</summary>
    [JsonPropertyName("mpps_per_core")]
    public double? MppsPerCore { get; init; }

    /// <summary>device-events: surprise removal to all queues stopped and buffers home.</summary>
    [JsonPropertyName("removal_p50_ms")]
    public double? RemovalP50Ms { get; init; }

    /// <summary>device-events: surprise removal to all queues stopped and buffers home.</summary>
    [JsonPropertyName("removal_p99_ms")]
    public double? RemovalP99Ms { get; init; }

    /// <summary>device-events: D3 request to quiesced.</summary>
    [JsonPropertyName("quiesce_p50_ms")]
    public double? QuiesceP50Ms { get; init; }

    /// <summary>device-events: D3 request to quiesced.</summary>
    [JsonPropertyName("quiesce_p99_ms")]
    public double? QuiesceP99Ms { get; init; }

    /// <summary>control-latency: a filter table published to every queue using it, queues idle (0 pps).</summary>
    [JsonPropertyName("idle_p50_us")]
    public double? IdleP50Us { get; init; }

    /// <summary>control-latency: a filter table published to every queue using it, queues idle (0 pps).</summary>
    [JsonPropertyName("idle_p99_us")]
    public double? IdleP99Us { get; init; }

    /// <summary>control-latency: a filter table published to every queue using it, every queue polling a full line.</summary>
    [JsonPropertyName("loaded_p50_us")]
    public double? LoadedP50Us { get; init; }

    /// <summary>control-latency: a filter table published to every queue using it, every queue polling a full line.</summary>
    [JsonPropertyName("loaded_p99_us")]
    public double? LoadedP99Us { get; init; }

    /// <summary>control-latency: as loaded, but from a generator thread as fast as it goes beside the queue threads (more busy threads than cores).</summary>
    [JsonPropertyName("oversubscribed_p50_us")]
    public double? OversubscribedP50Us { get; init; }

    /// <summary>control-latency: as loaded, but from a generator thread as fast as it goes beside the queue threads (more busy threads than cores).</summary>
    [JsonPropertyName("oversubscribed_p99_us")]
    public double? OversubscribedP99Us { get; init; }

    /// <summary>control-latency: a filter table published to every queue using it, 200k pps in all.</summary>
    [JsonPropertyName("p50_us_200kpps")]
    public double? P50Us200Kpps { get; init; }

    /// <summary>control-latency: a filter table published to every queue using it, 200k pps in all.</summary>
    [JsonPropertyName("p99_us_200kpps")]
    public double? P99Us200Kpps { get; init; }

    /// <summary>control-latency: CPU of a queue thread at 0 pps, percent of one core.</summary>
    [JsonPropertyName("idle_cpu_percent")]
    public double? IdleCpuPercent { get; init; }

    /// <summary>control-latency: CPU of a queue thread at 200k pps in all, percent of one core.</summary>
    [JsonPropertyName("cpu_percent_200kpps")]
    public double? CpuPercent200Kpps { get; init; }
}
