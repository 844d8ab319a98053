using System.Globalization;
using System.Text;
using System.Text.Json;
using PdCluster.Bench.Cluster;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// <c>pd-bench vswitch [--quick] [--veth FILE] [--ovs REASON] [--results DIR]</c>: the VM switch on SoftNic (external
/// to VM and VM to VM at 0, 10 and 10,000 VFP rules per port, in interleaved rounds, the median round reported) and
/// rule push to traffic allowed, beside the veth rows <c>bench/vswitch.sh</c> measured (one JSON line each in FILE);
/// one JSON line per case, then a summary line; writes vswitch.json, vswitch.md and vswitch.tsv, the chart's data
/// (vswitch-quick.* with --quick).
/// </summary>
internal static class VSwitchBench
{
    /// <summary>The issue's bound on the unified flow table: 10,000 rules keep this share of the 0-rule rate.</summary>
    private const double UftTarget = 0.7;
    private static readonly int[] RuleCounts = [0, 10, 10_000];
    private static readonly string[] Paths = ["ext-to-vm", "vm-to-vm"];

    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var resultsDir = Text("--results") ?? Path.Combine("bench", "results");
        var vethFile = Text("--veth");
        if (vethFile is not null && !File.Exists(vethFile))
        {
            Console.Error.WriteLine($"pd-bench vswitch: --veth: {vethFile} does not exist");
            return 2;
        }
        var loadBefore = ClusterBench.LoadAverage();
        var rounds = quick ? 1 : 3;
        var cases = quick ? new SoftNicCases(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)) : new SoftNicCases(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        var samples = new List<(int Round, VSwitchRow Row)>();
        for (var round = 0; round < rounds; round++)
            foreach (var path in Paths)
                foreach (var rules in RuleCounts)
                    samples.Add((round, cases.Run(path, rules)));
        var forwarding = samples.GroupBy(s => (s.Row.Case, s.Row.Rules)).Select(g =>
        {
            var ordered = g.Select(s => s.Row).OrderBy(r => r.MppsPerCore ?? 0).ToList();
            return ordered[ordered.Count / 2] with
            {
                Rounds = ordered.Count,
                MppsPerCoreMin = ordered[0].MppsPerCore, MppsPerCoreMax = ordered[^1].MppsPerCore,
                DeliveredMppsMin = ordered.Min(r => r.DeliveredMpps), DeliveredMppsMax = ordered.Max(r => r.DeliveredMpps),
                Note = "0 rules: VFP off on the port (no VFP); 10 and 10,000: VFP on, half the rules inbound, half outbound",
            };
        }).ToList();
        var uft = new Dictionary<string, double>();
        foreach (var path in Paths)
        {
            // Per round: the 10,000-rule case over the 0-rule case of the same round; the median of those ratios.
            var ratios = Enumerable.Range(0, rounds).Select(r => (Rule(samples, r, path, 10_000), Rule(samples, r, path, 0)))
                .Where(p => p.Item1 is not null && p.Item2 is > 0).Select(p => p.Item1!.Value / p.Item2!.Value).Order().ToList();
            if (ratios.Count > 0)
                uft[$"softnic {path}"] = Math.Round(ratios[ratios.Count / 2], 2);
        }

        var pushes = new List<RulePushRow> { cases.RulePush(1, quick ? 30 : 200), cases.RulePush(10_000, quick ? 5 : 20), StoreRulePush.Run(quick ? 30 : 200) };

        var veth = vethFile is null ? [] : File.ReadLines(vethFile).Where(l => l.Trim().Length > 0)
            .Select(l => JsonSerializer.Deserialize(l, BenchJson.Default.VSwitchRow) ?? throw new InvalidDataException($"{vethFile}: a line is null")).ToList();
        forwarding.AddRange(veth);
        var versusBridge = new Dictionary<string, double>();
        foreach (var path in Paths)
        {
            var ours = veth.FirstOrDefault(r => r.Case == path && r.Switch == "pd-vswitch-afxdp" && r.Rules == 0);
            var bridge = veth.FirstOrDefault(r => r.Case == path && r.Switch == "linux-bridge");
            if (ours?.NsPerPacket is { } a && bridge?.NsPerPacket is { } b and > 0)
                versusBridge[path] = Math.Round(a / b, 2);
        }
        foreach (var path in Paths)
        {
            var zero = veth.FirstOrDefault(r => r.Case == path && r.Switch == "pd-vswitch-afxdp" && r.Rules == 0);
            var many = veth.FirstOrDefault(r => r.Case == path && r.Switch == "pd-vswitch-afxdp" && r.Rules == 10_000);
            if (zero?.NsPerPacket is { } z && many?.NsPerPacket is { } m and > 0)
                uft[$"veth {path}"] = Math.Round(z / m, 2);
        }
        var ovs = Text("--ovs") ?? (veth.Any(r => r.Switch.StartsWith("ovs", StringComparison.Ordinal)) ? "measured" : "not measured");
        var summary = new VSwitchSummary("vswitch-summary", versusBridge, versusBridge.Count == 0 ? null : versusBridge.Values.All(v => v < 1),
            uft, uft.Count == 0 ? null : uft.Values.All(v => v >= UftTarget), ovs, loadBefore, ClusterBench.LoadAverage());

        foreach (var row in forwarding)
            Console.WriteLine(JsonSerializer.Serialize(row, BenchJson.Default.VSwitchRow));
        foreach (var row in pushes)
            Console.WriteLine(JsonSerializer.Serialize(row, BenchJson.Default.RulePushRow));
        Console.WriteLine(JsonSerializer.Serialize(summary, BenchJson.Default.VSwitchSummary));

        var machine = MachineInfo.Here(quick, rounds);
        var stem = quick ? "vswitch-quick" : "vswitch";
        Directory.CreateDirectory(resultsDir);
        File.WriteAllText(Path.Combine(resultsDir, stem + ".json"), JsonSerializer.Serialize(new VSwitchRun(machine, forwarding, pushes, summary), BenchJson.Default.VSwitchRun) + "\n");
        File.WriteAllText(Path.Combine(resultsDir, stem + ".tsv"), Samples(forwarding));
        File.WriteAllText(Path.Combine(resultsDir, stem + ".md"), Markdown(machine, forwarding, pushes, summary, stem));
        return 0;
    }

    private static double? Rule(List<(int Round, VSwitchRow Row)> samples, int round, string path, int rules) =>
        samples.FirstOrDefault(s => s.Round == round && s.Row.Case == path && s.Row.Rules == rules).Row?.MppsPerCore;

    /// <summary>The charts' data: "platform&lt;TAB&gt;label&lt;TAB&gt;value&lt;TAB&gt;low&lt;TAB&gt;high" (SoftNic Mpps per core; veth ns per packet).</summary>
    private static string Samples(List<VSwitchRow> rows)
    {
        var tsv = new StringBuilder("platform\tlabel\tvalue\tlow\thigh\n");
        foreach (var r in rows)
        {
            var (value, low, high) = r.Platform == "softnic" ? (r.MppsPerCore, r.MppsPerCoreMin, r.MppsPerCoreMax) : (r.NsPerPacket, r.NsPerPacketMin, r.NsPerPacketMax);
            if (value is { } v)
                tsv.Append(CultureInfo.InvariantCulture, $"{r.Platform}\t{Label(r)}\t{v:0.####}\t{low ?? v:0.####}\t{high ?? v:0.####}\n");
        }
        return tsv.ToString();
    }

    private static string Label(VSwitchRow r) => $"{r.Case} {r.Switch}{(r.Rules is { } n ? $" {n:N0} rules" : "")}";

    private static string Markdown(MachineInfo m, List<VSwitchRow> rows, List<RulePushRow> pushes, VSwitchSummary s, string stem)
    {
        static string Met(bool? met) => met switch { true => "met", false => "not met", null => "– (not measured in this run)" };
        static string N(double? v, string format) => v?.ToString(format, CultureInfo.InvariantCulture) ?? "–";
        var md = new StringBuilder();
        md.AppendLine("# VM switch benchmark").AppendLine();
        md.AppendLine($"{m.Date} · {m.Cpu} · {m.Cores} cores · {m.MemoryGib} GiB · {m.Os} · {m.Runtime}{(m.Quick ? " · --quick" : "")} · " +
            $"load average (1, 5, 15 min) {s.LoadAverageStart} at the start, {s.LoadAverageEnd} at the end").AppendLine();
        md.AppendLine($"![SoftNic: Mpps per core of the switch's threads; veth: CPU per packet]({stem}.png)").AppendLine();
        md.AppendLine("Produced by `bench/run.sh vswitch`. **0 rules is the baseline: VFP off on the port (no VFP at all)**; at 10 and 10,000 rules VFP is on " +
            "and each port has that many rules, half inbound and half outbound, every one allowing UDP from a source prefix (/24 to /32) to port 9000 exact, as a range or any. " +
            "The rules are applied to each switch port's own `VfpPort`, as the node does. " +
            $"The chart is also in [{stem}.svg]({stem}.svg); its data in `{stem}.tsv`.").AppendLine();
        md.AppendLine("## SoftNic (in process)").AppendLine();
        md.AppendLine("64 UDP flows of 64-byte frames, as fast as the sender goes: from a tester on the external port's wire (ext-to-vm) or from VM vm2 (vm-to-vm) to VM vm1. " +
            $"Mpps per core is what vm1's port handed to vm1 over the CPU time of the switch's own threads (the switch's and each VM port's, from `/proc/self/task/*/schedstat`); the senders' and VMs' threads are not counted. Median of {m.Rounds} interleaved round(s), range across rounds. " +
            "The switch's threads poll (spin, then back off), so on these 2 shared cores they share the CPU with the senders.").AppendLine();
        md.AppendLine("| case | rules per port | delivered Mpps (range) | switch threads | their CPU % | Mpps per core (range) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows.Where(r => r.Platform == "softnic"))
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Case} | {r.Rules:N0}{(r.Rules == 0 ? " (VFP off)" : "")} | {r.DeliveredMpps:0.000} ({N(r.DeliveredMppsMin, "0.000")}–{N(r.DeliveredMppsMax, "0.000")}) | {r.SwitchThreads} | {N(r.SwitchCpuPct, "0")} | {N(r.MppsPerCore, "0.000")} ({N(r.MppsPerCoreMin, "0.000")}–{N(r.MppsPerCoreMax, "0.000")}) |");
        var veth = rows.Where(r => r.Platform == "veth").ToList();
        md.AppendLine().AppendLine("## veth (real namespaces)").AppendLine();
        if (veth.Count == 0)
            md.AppendLine("Not run (`bench/run.sh vswitch` runs it as root with trafgen).");
        else
        {
            md.AppendLine("trafgen (one worker, core 0) offers 64-byte UDP frames at a fixed rate into a veth from a source namespace (ext-to-vm) or from VM vm2's namespace (vm-to-vm) to VM vm1's namespace, " +
                "through each switch in turn, in interleaved rounds. CPU per packet is the busy time of the processes of the run (generator, switch) and every kernel thread (ksoftirqd, kworkers; softirq work lands there or on the process it interrupted), " +
                "from `/proc/<pid>/stat` and `/proc/stat`, over the frames vm1's eth0 received; `floor` is the same generator into a veth whose peer drops everything (no switch), so the switch's own cost is the difference.").AppendLine();
            md.AppendLine("| case | switch | rules per port | offered Mpps | delivered Mpps (range) | CPU ns per packet (range) | minus floor | note |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
            foreach (var r in veth)
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Case} | {r.Switch} | {(r.Rules is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "–")} | {N(r.OfferedMpps, "0.000")} | {r.DeliveredMpps:0.000} ({N(r.DeliveredMppsMin, "0.000")}–{N(r.DeliveredMppsMax, "0.000")}) | " +
                    $"{N(r.NsPerPacket, "0")} ({N(r.NsPerPacketMin, "0")}–{N(r.NsPerPacketMax, "0")}) | {(r.NsPerPacket is { } v && r.FloorNsPerPacket is { } f ? (v - f).ToString("0", CultureInfo.InvariantCulture) : "–")} | {r.Note} |");
        }
        md.AppendLine().AppendLine("## Rule push to traffic allowed").AppendLine();
        md.AppendLine("The tester sends to vm1, whose port has VFP on and no rules, so it blocks; each trial pushes rules and times until vm1 has received a frame (a 10 µs spin between checks; the senders and VMs share the 2 cores); then the rules go and the port blocks again. " +
            "**port-policy**: the rules compiled into a `VfpPort` on the bench's thread and handed to the port's gate directly. " +
            "**cluster-store**: `pd vfp rule add`'s path without its process and HTTP hop: one rule (allow UDP to port 9000 inbound) written by `VSwitchCatalog` to the cluster store (an `InMemoryStore` in process), " +
            "which the node's `VSwitchAgent` watches, compiles and puts in force on the port of the VM it hosts; the switch, VFP and vm1 are store records too, and `pd vfp rule rm`'s path removes the rule after each trial. " +
            "Against etcd add the store's own write and watch latency (see the cluster benchmark's push figures).").AppendLine();
        md.AppendLine("| case | through | rules pushed | trials | p50 µs | p99 µs | max µs |").AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var p in pushes)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Case} | {p.Through} | {p.RulesPushed:N0} | {p.Trials} | {p.P50Us:0.0} | {p.P99Us:0.0} | {p.MaxUs:0.0} |");
        md.AppendLine().AppendLine("## Targets").AppendLine();
        md.AppendLine("| target | value | met |").AppendLine("|---|---|---|");
        md.AppendLine($"| the switch on AF_XDP spends less CPU per packet than the Linux bridge, same run (ratio < 1; VFP off) | {(s.AfXdpVsBridge.Count == 0 ? "–" : string.Join("; ", s.AfXdpVsBridge.Select(kv => $"{kv.Key} {kv.Value:0.00}")))} | {Met(s.AfXdpBelowBridge)} |");
        md.AppendLine($"| the UFT keeps 10,000 rules within 0.7 × the 0-rule (VFP off) rate (ratio ≥ 0.7) | {(s.Uft10kVs0.Count == 0 ? "–" : string.Join("; ", s.Uft10kVs0.Select(kv => $"{kv.Key} {kv.Value:0.00}")))} | {Met(s.Uft10kWithin)} |");
        md.AppendLine($"| Open vSwitch anchor | {s.Ovs} | |");
        return md.ToString();
    }
}
