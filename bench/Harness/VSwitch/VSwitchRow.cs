using System.Text.Json.Serialization;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// One forwarding case of <c>bench/run.sh vswitch</c>: a path (external to VM, or VM to VM) through one switch at one
/// rule count, on SoftNic (Mpps per core of the switch's threads) or on veth (CPU per packet, beside the kernel's bridge
/// and Open vSwitch). Rules null: the anchor has no VFP; 0: the port's VFP is off (no VFP, the baseline).
/// </summary>
internal sealed record VSwitchRow(
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("switch")] string Switch,
    [property: JsonPropertyName("rules")] int? Rules,
    [property: JsonPropertyName("rounds")] int Rounds,
    [property: JsonPropertyName("delivered_mpps")] double DeliveredMpps,
    [property: JsonPropertyName("delivered_mpps_min")] double? DeliveredMppsMin = null,
    [property: JsonPropertyName("delivered_mpps_max")] double? DeliveredMppsMax = null,
    [property: JsonPropertyName("switch_threads")] int? SwitchThreads = null,
    [property: JsonPropertyName("switch_cpu_pct")] double? SwitchCpuPct = null,
    [property: JsonPropertyName("mpps_per_core")] double? MppsPerCore = null,
    [property: JsonPropertyName("mpps_per_core_min")] double? MppsPerCoreMin = null,
    [property: JsonPropertyName("mpps_per_core_max")] double? MppsPerCoreMax = null,
    [property: JsonPropertyName("offered_mpps")] double? OfferedMpps = null,
    [property: JsonPropertyName("ns_per_packet")] double? NsPerPacket = null,
    [property: JsonPropertyName("ns_per_packet_min")] double? NsPerPacketMin = null,
    [property: JsonPropertyName("ns_per_packet_max")] double? NsPerPacketMax = null,
    [property: JsonPropertyName("floor_ns_per_packet")] double? FloorNsPerPacket = null,
    [property: JsonPropertyName("note")] string? Note = null);

/// <summary>Time from a rule pushed to a VM port until the VM receives traffic it allows: p50/p99 over the trials.</summary>
internal sealed record RulePushRow(
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("through")] string Through,
    [property: JsonPropertyName("rules_pushed")] int RulesPushed,
    [property: JsonPropertyName("trials")] int Trials,
    [property: JsonPropertyName("p50_us")] double P50Us,
    [property: JsonPropertyName("p99_us")] double P99Us,
    [property: JsonPropertyName("max_us")] double MaxUs)
{
    /// <summary>The row of <paramref name="samples"/> (µs, one per trial): their p50, p99 and maximum.</summary>
    public static RulePushRow Of(string path, string through, int rulesPushed, List<double> samples)
    {
        samples.Sort();
        double Quantile(double q) => Math.Round(samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)], 1);
        return new RulePushRow(path, through, rulesPushed, samples.Count, Quantile(0.5), Quantile(0.99), Math.Round(samples[^1], 1));
    }
}

/// <summary>The targets, from figures of the same run, and the machine's load.</summary>
internal sealed record VSwitchSummary(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("afxdp_vs_bridge_ns_per_packet")] IReadOnlyDictionary<string, double> AfXdpVsBridge,
    [property: JsonPropertyName("afxdp_below_bridge")] bool? AfXdpBelowBridge,
    [property: JsonPropertyName("uft_10k_vs_0")] IReadOnlyDictionary<string, double> Uft10kVs0,
    [property: JsonPropertyName("uft_10k_within_0_7")] bool? Uft10kWithin,
    [property: JsonPropertyName("ovs")] string Ovs,
    [property: JsonPropertyName("load_average_start")] string LoadAverageStart,
    [property: JsonPropertyName("load_average_end")] string LoadAverageEnd);

/// <summary>A whole <c>bench/run.sh vswitch</c> run as written to bench/results.</summary>
internal sealed record VSwitchRun(
    [property: JsonPropertyName("machine")] MachineInfo Machine,
    [property: JsonPropertyName("forwarding")] IReadOnlyList<VSwitchRow> Forwarding,
    [property: JsonPropertyName("rule_push")] IReadOnlyList<RulePushRow> RulePush,
    [property: JsonPropertyName("summary")] VSwitchSummary Summary);
