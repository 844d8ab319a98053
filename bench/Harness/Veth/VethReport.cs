using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PdCluster.Bench.Veth;

/// <summary>
/// <c>pd-bench veth-report --anchors FILE --tag TAG [--latency FILE] [--idle FILE] [--removal FILE] --out DIR</c>:
/// turns the run's measurements (veth-anchors.sh's JSON lines for every path, ours and the anchors alike, and the
/// latency, idle and removal lines of bench/run.sh) into veth.json, veth.md and the chart veth.svg.
/// </summary>
internal static class VethReport
{
    public static int Run(VethOptions options)
    {
        var tag = options.Text("tag");
        var measured = Lines(options.Text("anchors")).Where(l => l.GetProperty("tag").GetString() == tag).ToList();
        if (measured.Count == 0)
            throw new VethUsageException($"--anchors: no results tagged {tag} in {options.Text("anchors")}");
        var latency = Lines(options.Text("latency", "")).ToDictionary(l => l.GetProperty("path").GetString()!);
        var idle = Lines(options.Text("idle", "")).ToDictionary(l => l.GetProperty("path").GetString()!, l => l.GetProperty("idle_cpu_pct").GetDouble());
        var removals = Lines(options.Text("removal", "")).Select(l => l.GetProperty("removal_ms").GetDouble()).ToList();

        var rows = measured.GroupBy(l => (Path: l.GetProperty("case").GetString()!, Placement: l.GetProperty("napi_mode").GetString() == "threaded" ? "B" : "A"))
            .Select(g => Row(g.Key.Path, g.Key.Placement, [.. g]))
            .OrderBy(r => Order(r.Path)).ThenBy(r => r.Placement).ToList();
        rows = [.. rows.Select(r => r with
        {
            P50Us = r.Placement == "A" && latency.TryGetValue(r.Path, out var l) ? l.GetProperty("p50_us").GetDouble() : null,
            P99Us = r.Placement == "A" && latency.TryGetValue(r.Path, out l) ? l.GetProperty("p99_us").GetDouble() : null,
            P999Us = r.Placement == "A" && latency.TryGetValue(r.Path, out l) ? l.GetProperty("p999_us").GetDouble() : null,
            LatencyReceivedPercent = r.Placement == "A" && latency.TryGetValue(r.Path, out l) && l.GetProperty("sent").GetInt64() > 0
                ? Math.Round(100.0 * l.GetProperty("received").GetInt64() / l.GetProperty("sent").GetInt64(), 2) : null,
            IdleCpuPercent = r.Placement == "A" && idle.TryGetValue(r.Path, out var i) ? i : null,
        })];

        VethRow? Find(string path, string placement) => rows.FirstOrDefault(r => r.Path == path && r.Placement == placement);
        static double? Ratio(double? a, double? b) => a is { } x && b is > 0 ? Math.Round(x / b.Value, 2) : null;
        var summary = new VethSummary("veth-summary",
            Ratio(Find("pd-afxdp-drain", "B")?.DeliveredPps, Find("xsk-drv-poll", "B")?.DeliveredPps),
            Find("pd-afxdp-drain", "B")?.LossPercent,
            Find("pd-afxdp-drain", "B")?.CpuNsPerPacket,
            Ratio(Find("pd-afxdp-drain", "B")?.DeliveredPps, Find("dpdk-afxdp", "B")?.DeliveredPps),
            Ratio(Find("pd-afxdp-busy", "A")?.CpuNsPerPacket, Find("dpdk-afxdp", "A")?.CpuNsPerPacket),
            Ratio(Find("pd-afxdp-drain", "A")?.DeliveredPps, Find("dotnet-socket", "A")?.DeliveredPps),
            Ratio(Find("pd-afxdp-drain", "A")?.MachineNsPerPacket, Find("dotnet-socket", "A")?.MachineNsPerPacket),
            Ratio(Find("pd-afxdp-drain", "B")?.DeliveredPps, Find("dotnet-socket", "B")?.DeliveredPps),
            Ratio(Find("pd-afxdp-drain", "B")?.MachineNsPerPacket, Find("dotnet-socket", "B")?.MachineNsPerPacket),
            Ratio(Find("pd-afxdp-drain", "A")?.P999Us, Find("dotnet-socket", "A")?.P999Us),
            idle.TryGetValue("pd-afxdp-drain", out var drainIdle) ? drainIdle : null,
            Ratio(Find("pd-afxdp-paced", "A")?.DeliveredPps, Find("dotnet-socket", "A")?.DeliveredPps),
            Ratio(Find("pd-afxdp-paced", "A")?.MachineNsPerPacket, Find("dotnet-socket", "A")?.MachineNsPerPacket),
            Ratio(Find("pd-afxdp-paced", "A")?.P999Us, Find("dotnet-socket", "A")?.P999Us),
            idle.TryGetValue("pd-afxdp-paced", out var pacedIdle) ? pacedIdle : null,
            removals.Count == 0 ? null : Math.Round(removals.Max(), 2));

        var rounds = rows.Count == 0 ? 0 : rows.Max(r => r.Rounds);
        var machine = MachineInfo.Here(options.Flag("quick"), rounds);
        var outDir = options.Text("out");
        var stem = options.Flag("quick") ? "veth-quick" : "veth";
        Directory.CreateDirectory(outDir);
        foreach (var row in rows)
            Console.WriteLine(JsonSerializer.Serialize(row, BenchJson.Default.VethRow));
        Console.WriteLine(JsonSerializer.Serialize(summary, BenchJson.Default.VethSummary));
        File.WriteAllText(Path.Combine(outDir, stem + ".json"), JsonSerializer.Serialize(new VethRun(machine, rows, summary), BenchJson.Default.VethRun) + "\n");
        VethChart.Write(Path.Combine(outDir, stem + ".svg"), $"{machine.Cpu} · {machine.Cores} cores · {machine.Date} · median of {rounds} round(s)", rows);
        File.WriteAllText(Path.Combine(outDir, stem + ".md"), Markdown(machine, rows, summary, removals, stem + ".svg"));
        return 0;
    }

    private static VethRow Row(string path, string placement, List<JsonElement> runs)
    {
        double Median(string key) => MedianOf(runs.Select(r => r.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN));
        var delivered = runs.Select(r => r.GetProperty("delivered_pps").GetDouble()).Where(double.IsFinite).ToList();
        // A path without a receiving process (the XDP_DROP floor) has no receiver CPU.
        var receiver = path.StartsWith("xdp-drop", StringComparison.Ordinal) ? (double?)null : Math.Round(Median("rx_proc_ns_pkt"), 0);
        return new VethRow("veth", path, placement, runs.Count, Math.Round(Median("offered_pps")), Math.Round(Median("delivered_pps")),
            delivered.DefaultIfEmpty(double.NaN).Min(), delivered.DefaultIfEmpty(double.NaN).Max(), Math.Round(Median("loss_pct"), 2),
            receiver, Math.Round(Median("machine_all_ns_pkt"), 0), receiver is null ? null : Math.Round(Median("rx_proc_cpu_pct"), 1));
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }

    /// <summary>Ours first, then the normal path, then the anchors.</summary>
    private static int Order(string path) => path switch
    {
        "pd-afxdp-drain" => 0, "pd-afxdp-paced" => 0, "pd-afxdp-aligned" => 0, "pd-afxdp-busy" => 1, "pd-afpacket-drain" => 2, "dotnet-socket" => 3, "dotnet-recvmmsg" => 4,
        "xsk-drv-poll" => 5, "xsk-drv-busy" => 6, "xdp-drop-drv" => 7, "dpdk-afxdp" => 8, "dpdk-afpacket" => 9, _ => 10,
    };

    private static IEnumerable<JsonElement> Lines(string path) =>
        path.Length == 0 || !File.Exists(path) ? [] :
        File.ReadLines(path).Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement);

    private static string Markdown(MachineInfo m, List<VethRow> rows, VethSummary s, List<double> removals, string chart)
    {
        static string N(double? v, string format = "0") => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "–";
        var md = new StringBuilder();
        md.AppendLine("# veth benchmark").AppendLine();
        md.AppendLine($"![Delivered rate and receiver CPU per packet by path]({chart})").AppendLine();
        md.AppendLine($"{m.Date} · {m.Cpu} · {m.Cores} cores · {m.MemoryGib} GiB · {m.Os} · {m.Runtime}").AppendLine();
        md.AppendLine("Produced by `bench/run.sh veth`. A veth pair between two network namespaces; `trafgen` offers 64-byte UDP frames " +
            "from core 0 as fast as it can; the receiver is pinned to core 1. Every path, ours and the anchors (`veth-anchors.sh`'s C " +
            "receivers, the XDP_DROP floor and DPDK testpmd), is measured by the same instrument in the same run, in interleaved rounds; " +
            $"the figures are medians of {m.Rounds} round(s) (delivered range in brackets). Placement A: the kernel's receive work runs on " +
            "the generator's core (softirq). Placement B: threaded NAPI pinned to the receiver's core. `cpu ns/pkt` is the receiving " +
            "process (all its threads); `machine ns/pkt` is the whole machine's busy time from /proc/stat (softirq included) per delivered packet. " +
            "Latency: probe frames sent at 20 kpps by the project's own AF_XDP transmit path on the generator end, reflected by the path " +
            "(PD: MAC swap on the queue's transmit ring; socket: the datagram sent back), without trafgen's load.").AppendLine();
        md.AppendLine("| path | placement | offered kpps | delivered kpps (range) | loss % | cpu ns/pkt | machine ns/pkt | receiver CPU % | p50 µs | p99 µs | p99.9 µs | idle CPU % |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            md.AppendLine($"| {r.Path} | {r.Placement} | {N(r.OfferedPps / 1000)} | {N(r.DeliveredPps / 1000)} ({N(r.DeliveredPpsMin / 1000)}–{N(r.DeliveredPpsMax / 1000)}) | {N(r.LossPercent, "0.0")} | {N(r.CpuNsPerPacket)} | {N(r.MachineNsPerPacket)} | {N(r.ReceiverCpuPercent, "0.0")} | {N(r.P50Us, "0.0")} | {N(r.P99Us, "0.0")} | {N(r.P999Us, "0.0")} | {N(r.IdleCpuPercent, "0.00")} |");
        md.AppendLine().AppendLine("| target (same run) | value | target |").AppendLine("|---|---:|---:|");
        md.AppendLine($"| B: pd-afxdp-drain / C libxdp poll() receiver, delivered | {N(s.DrainVsCPoll, "0.00")} | ≥ 0.9 |");
        md.AppendLine($"| B: pd-afxdp-drain loss % | {N(s.DrainLossB, "0.00")} | < 1 |");
        md.AppendLine($"| B: pd-afxdp-drain application CPU ns/packet (parse and classify included) | {N(s.DrainCpuB)} | ≤ 200 |");
        md.AppendLine($"| B: pd-afxdp-drain / DPDK testpmd net_af_xdp, delivered | {N(s.DrainVsDpdkB, "0.00")} | > 1 |");
        md.AppendLine($"| A: pd-afxdp-busy / DPDK testpmd net_af_xdp, receiver CPU per packet | {N(s.BusyVsDpdkCpuA, "0.00")} | ≤ 1.1 |");
        md.AppendLine($"| A: pd-afxdp-drain / .NET socket, delivered | {N(s.DrainVsSocketA, "0.00")} | ≥ 1.5 |");
        md.AppendLine($"| A: pd-afxdp-drain / .NET socket, machine CPU per packet | {N(s.DrainVsSocketMachineA, "0.00")} | ≤ 0.7 |");
        md.AppendLine($"| B: pd-afxdp-drain / .NET socket, delivered | {N(s.DrainVsSocketB, "0.00")} | ≥ 1.5 |");
        md.AppendLine($"| B: pd-afxdp-drain / .NET socket, machine CPU per packet | {N(s.DrainVsSocketMachineB, "0.00")} | ≤ 0.7 |");
        md.AppendLine($"| pd-afxdp-drain p99.9 / .NET socket p99.9 | {N(s.DrainVsSocketP999, "0.00")} | < 1 |");
        md.AppendLine($"| idle pd-afxdp-drain queue, CPU % of a core | {N(s.DrainIdleCpu, "0.00")} | < 1 |");
        md.AppendLine($"| A: pd-afxdp-paced (a core of its own: paced polling) / .NET socket, delivered | {N(s.PacedVsSocketA, "0.00")} | ≥ 1.5 |");
        md.AppendLine($"| A: pd-afxdp-paced / .NET socket, machine CPU per packet | {N(s.PacedVsSocketMachineA, "0.00")} | ≤ 0.7 |");
        md.AppendLine($"| pd-afxdp-paced p99.9 / .NET socket p99.9 | {N(s.PacedVsSocketP999, "0.00")} | < 1 |");
        md.AppendLine($"| idle pd-afxdp-paced queue, CPU % of a core | {N(s.PacedIdleCpu, "0.00")} | < 1 |");
        md.AppendLine($"| `ip link del` under traffic → AdapterSupervisor sees the removal, ms (max of {removals.Count}; includes starting `ip`) | {N(s.RemovalMaxMs, "0.0")} | < 50 |");
        return md.ToString();
    }
}
