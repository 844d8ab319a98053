using System.Text.Json.Serialization;

namespace PdCluster.Bench.Veth;

/// <summary>The veth benchmark's targets as ratios of paths measured in the same run.</summary>
internal sealed record VethSummary(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("b_pd_drain_vs_c_xsk_poll_delivered")] double? DrainVsCPoll,
    [property: JsonPropertyName("b_pd_drain_loss_pct")] double? DrainLossB,
    [property: JsonPropertyName("b_pd_drain_cpu_ns_per_packet")] double? DrainCpuB,
    [property: JsonPropertyName("b_pd_drain_vs_dpdk_af_xdp_delivered")] double? DrainVsDpdkB,
    [property: JsonPropertyName("a_pd_busy_vs_dpdk_af_xdp_cpu_per_packet")] double? BusyVsDpdkCpuA,
    [property: JsonPropertyName("a_pd_drain_vs_dotnet_socket_delivered")] double? DrainVsSocketA,
    [property: JsonPropertyName("a_pd_drain_vs_dotnet_socket_machine_cpu")] double? DrainVsSocketMachineA,
    [property: JsonPropertyName("b_pd_drain_vs_dotnet_socket_delivered")] double? DrainVsSocketB,
    [property: JsonPropertyName("b_pd_drain_vs_dotnet_socket_machine_cpu")] double? DrainVsSocketMachineB,
    [property: JsonPropertyName("pd_drain_p999_vs_dotnet_socket_p999")] double? DrainVsSocketP999,
    [property: JsonPropertyName("pd_drain_idle_cpu_pct")] double? DrainIdleCpu,
    [property: JsonPropertyName("a_pd_paced_vs_dotnet_socket_delivered")] double? PacedVsSocketA,
    [property: JsonPropertyName("a_pd_paced_vs_dotnet_socket_machine_cpu")] double? PacedVsSocketMachineA,
    [property: JsonPropertyName("pd_paced_p999_vs_dotnet_socket_p999")] double? PacedVsSocketP999,
    [property: JsonPropertyName("pd_paced_idle_cpu_pct")] double? PacedIdleCpu,
    [property: JsonPropertyName("removal_to_supervisor_ms_max")] double? RemovalMaxMs);

/// <summary>A whole veth run as written to bench/results/veth.json.</summary>
internal sealed record VethRun(
    [property: JsonPropertyName("machine")] MachineInfo Machine,
    [property: JsonPropertyName("results")] IReadOnlyList<VethRow> Results,
    [property: JsonPropertyName("summary")] VethSummary Summary);
