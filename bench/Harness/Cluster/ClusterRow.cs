using System.Text.Json.Serialization;

namespace PdCluster.Bench.Cluster;

/// <summary>One line of the cluster benchmark: filter-push on one number of nodes.</summary>
internal sealed record ClusterRow(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("nodes")] int Nodes,
    [property: JsonPropertyName("pushes")] int Pushes,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p90_ms")] double P90Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("max_ms")] double MaxMs,
    [property: JsonPropertyName("applied_before_answer")] int AppliedBeforeAnswer,
    [property: JsonPropertyName("etcd_put_watch_p50_ms")] double EtcdP50Ms,
    [property: JsonPropertyName("etcd_put_watch_p99_ms")] double EtcdP99Ms,
    [property: JsonPropertyName("push_vs_etcd_p50")] double? PushVsEtcdP50,
    [property: JsonPropertyName("push_vs_etcd_p99")] double? PushVsEtcdP99,
    [property: JsonPropertyName("bulk_filters")] int BulkFilters,
    [property: JsonPropertyName("bulk_transactions")] int BulkTransactions,
    [property: JsonPropertyName("bulk_in_flight")] int BulkInFlight,
    [property: JsonPropertyName("bulk_write_s")] double BulkWriteSeconds,
    [property: JsonPropertyName("bulk_10k_s")] double Bulk10kSeconds,
    [property: JsonPropertyName("bulk_first_node_s")] double BulkFirstNodeSeconds,
    [property: JsonPropertyName("bulk_status_updates_min")] int BulkStatusUpdatesMin,
    [property: JsonPropertyName("bulk_status_updates_max")] int BulkStatusUpdatesMax,
    [property: JsonPropertyName("bulk_compile_ms")] double BulkCompileMs);

/// <summary>The cluster benchmark's targets (filter push, and the three failover cases), and the quoted anchors.</summary>
internal sealed record ClusterSummary(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("p99_ms_3_nodes")] double? P99Ms3Nodes,
    [property: JsonPropertyName("p99_target_ms")] double P99TargetMs,
    [property: JsonPropertyName("p99_target_met")] bool? P99TargetMet,
    [property: JsonPropertyName("bulk_10k_s_3_nodes")] double? Bulk10kSeconds3Nodes,
    [property: JsonPropertyName("bulk_target_s")] double BulkTargetSeconds,
    [property: JsonPropertyName("bulk_target_met")] bool? BulkTargetMet,
    [property: JsonPropertyName("anchor_quoted")] string AnchorQuoted,
    [property: JsonPropertyName("load_average_start")] string LoadAverageStart,
    [property: JsonPropertyName("load_average_end")] string LoadAverageEnd,
    [property: JsonPropertyName("failover_team_gap_max_ms")] double? FailoverTeamGapMaxMs,
    [property: JsonPropertyName("failover_team_target_met")] bool? FailoverTeamTargetMet,
    [property: JsonPropertyName("failover_nic_loss_gap_max_ms")] double? FailoverNicLossGapMaxMs,
    [property: JsonPropertyName("failover_nic_loss_target_met")] bool? FailoverNicLossTargetMet,
    [property: JsonPropertyName("failover_node_death_gap_max_ms")] double? FailoverNodeDeathGapMaxMs,
    [property: JsonPropertyName("failover_node_death_target_met")] bool? FailoverNodeDeathTargetMet,
    [property: JsonPropertyName("failover_anchor_quoted")] string? FailoverAnchorQuoted);

/// <summary>A whole cluster run as written to bench/results/cluster.json.</summary>
internal sealed record ClusterRun(
    [property: JsonPropertyName("machine")] MachineInfo Machine,
    [property: JsonPropertyName("results")] IReadOnlyList<ClusterRow> Results,
    [property: JsonPropertyName("failover")] IReadOnlyList<FailoverRow> Failover,
    [property: JsonPropertyName("summary")] ClusterSummary Summary);

/// <summary>One line of the cluster benchmark: one failover case, its gaps in delivered packets over the repetitions.</summary>
internal sealed record FailoverRow(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("fault")] string Fault,
    [property: JsonPropertyName("repeats")] int Repeats,
    [property: JsonPropertyName("recovered")] int Recovered,
    [property: JsonPropertyName("gap_p50_ms")] double? GapP50Ms,
    [property: JsonPropertyName("gap_max_ms")] double? GapMaxMs,
    [property: JsonPropertyName("gaps_ms")] IReadOnlyList<double?> GapsMs,
    [property: JsonPropertyName("target_ms")] double TargetMs,
    [property: JsonPropertyName("target_met")] bool TargetMet,
    [property: JsonPropertyName("before_max_gap_ms")] double BeforeMaxGapMs,
    [property: JsonPropertyName("generator_max_pause_ms")] double GeneratorMaxPauseMs);
