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

/// <summary>The cluster benchmark's targets, and the quoted anchor.</summary>
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
    [property: JsonPropertyName("load_average_end")] string LoadAverageEnd);

/// <summary>A whole cluster run as written to bench/results/cluster.json.</summary>
internal sealed record ClusterRun(
    [property: JsonPropertyName("machine")] MachineInfo Machine,
    [property: JsonPropertyName("results")] IReadOnlyList<ClusterRow> Results,
    [property: JsonPropertyName("summary")] ClusterSummary Summary);
