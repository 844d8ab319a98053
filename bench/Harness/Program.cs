using System.Text;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Bench;
using PdCluster.Bench.Cluster;
using PdCluster.Bench.Veth;
using PdCluster.Bench.VSwitch;

// pd-bench [SCENARIO...] [--quick] [--rules N,N...] [--results DIR]
// Runs the scenarios in interleaved rounds (7, or 1 with --quick) and reports each setting's median round: one JSON
// object per setting per line, then a summary line; writes results.json and results.md (a full run of every scenario),
// results-quick.* (--quick) or results-partial.* (some scenarios).
if (args.Length > 0 && args[0].StartsWith("veth-", StringComparison.Ordinal))
    return VethCommands.Run(args);
if (args.Length > 0 && args[0] == "vswitch")
    return VSwitchBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "vswitch-veth")
    return VethSwitch.Run(args[1..]);
if (args.Length > 0 && args[0] == "cluster")
    return await ClusterBench.RunAsync(args[1..]);

var known = new[] { "pd-forward", "raw-ring", "traditional", "socket", "classifier", "actor-pingpong", "device-events", "control-latency" };
var quick = args.Contains("--quick");
var resultsIndex = Array.IndexOf(args, "--results");
var resultsDir = resultsIndex >= 0 && resultsIndex + 1 < args.Length ? args[resultsIndex + 1] : Path.Combine("bench", "results");
var rulesIndex = Array.IndexOf(args, "--rules");
int[] ruleCounts = [1, 1_000, 100_000];
if (rulesIndex >= 0)
{
    var parsed = rulesIndex + 1 < args.Length ? args[rulesIndex + 1].Split(',').Select(r => int.TryParse(r, out var n) && n is >= 1 and <= 131_072 ? n : 0).ToArray() : [];
    if (parsed.Length == 0 || parsed.Contains(0))
    {
        Console.Error.WriteLine("pd-bench: --rules takes a comma-separated list of rule counts from 1 to 131072, for example --rules 1,1000");
        return 2;
    }
    ruleCounts = parsed;
}
var chosen = args.Where((a, i) => !a.StartsWith("--") && (resultsIndex < 0 || i != resultsIndex + 1) && (rulesIndex < 0 || i != rulesIndex + 1)).ToList();
var unknown = chosen.Except(known).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"pd-bench: unknown scenario {string.Join(", ", unknown)}; known: {string.Join(", ", known)}");
    return 2;
}
if (chosen.Count == 0)
    chosen = [.. known];

var (warmup, window) = quick ? (TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)) : (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
var scenarios = new Scenarios(warmup, window);
var actorScenarios = new ActorScenarios(warmup, window);
var rounds = quick ? 1 : 7;
// The headline ratio pairs pd-forward at the first rule count with raw-ring: run them back to back in each round.
var rawRingBesideForward = chosen.Contains("pd-forward") && chosen.Contains("raw-ring");
var samples = new List<(int Round, BenchResult Result)>();

for (var round = 0; round < rounds; round++)
{
    foreach (var name in chosen)
    {
        switch (name)
        {
            case "pd-forward":
                foreach (var rules in ruleCounts)
                {
                    samples.Add((round, scenarios.PdForward(rules, throughActors: true)));
                    if (rawRingBesideForward && rules == ruleCounts[0])
                        samples.Add((round, scenarios.RawRing()));
                    samples.Add((round, scenarios.PdForward(rules, throughActors: false)));
                }
                break;
            case "actor-pingpong":
                samples.Add((round, actorScenarios.PingPong()));
                break;
            case "device-events":
                samples.Add((round, actorScenarios.DeviceEvents(100)));
                break;
            case "control-latency":
                samples.Add((round, actorScenarios.ControlLatency(QueueIdle.Backoff, 1_000)));
                samples.Add((round, actorScenarios.ControlLatency(QueueIdle.DrainNotification, 1_000)));
                break;
            case "raw-ring" when !rawRingBesideForward:
                samples.Add((round, scenarios.RawRing()));
                break;
            case "traditional":
                samples.Add((round, scenarios.Traditional()));
                samples.Add((round, scenarios.TraditionalChannel()));
                break;
            case "socket":
                samples.Add((round, scenarios.UdpSocket()));
                break;
            case "classifier":
                foreach (var rules in ruleCounts)
                    samples.Add((round, scenarios.Classifier(rules)));
                break;
        }
    }
}

// The median round is the median by the scenario's headline figure: Mpps, or removal latency. control-latency has
// several headline figures measured under different loads; each is the median of its own across rounds, and the
// p99s' ranges across rounds go to the markdown.
var ranges = new Dictionary<string, (double Min, double Max)>();
var results = samples.Select(s => s.Result).GroupBy(r => (r.Scenario, r.Provider, r.Rules)).Select(g =>
{
    var ordered = g.OrderBy(r => r.Scenario == "device-events" ? r.RemovalP99Ms ?? 0 : r.Mpps).ToList();
    var median = ordered[ordered.Count / 2] with { Rounds = ordered.Count, MppsMin = ordered[0].Mpps, MppsMax = ordered[^1].Mpps };
    if (median.Scenario != "control-latency")
        return median;
    double? Median(Func<BenchResult, double?> figure, string? rangeName = null)
    {
        var values = g.Select(figure).OfType<double>().Order().ToList();
        if (values.Count == 0)
            return null;
        if (rangeName is not null)
            ranges[$"control-latency {median.Provider} {rangeName}"] = (values[0], values[^1]);
        return values[values.Count / 2];
    }
    return median with
    {
        IdleP50Us = Median(r => r.IdleP50Us),
        IdleP99Us = Median(r => r.IdleP99Us, "idle"),
        P50Us200Kpps = Median(r => r.P50Us200Kpps),
        P99Us200Kpps = Median(r => r.P99Us200Kpps, "200k"),
        LoadedP50Us = Median(r => r.LoadedP50Us),
        LoadedP99Us = Median(r => r.LoadedP99Us, "loaded"),
        OversubscribedP50Us = Median(r => r.OversubscribedP50Us),
        OversubscribedP99Us = Median(r => r.OversubscribedP99Us, "oversubscribed"),
        IdleCpuPercent = Median(r => r.IdleCpuPercent),
        CpuPercent200Kpps = Median(r => r.CpuPercent200Kpps),
    };
}).ToList();
// The direct loop is reported beside the actor one, as without_actors_mpps, not on a line of its own.
foreach (var direct in results.Where(r => r.Scenario == "pd-forward-direct").ToList())
{
    results.Remove(direct);
    var i = results.FindIndex(r => r.Scenario == "pd-forward" && r.Rules == direct.Rules);
    results[i] = results[i] with { WithoutActorsMpps = direct.Mpps };
}
foreach (var r in results)
    Console.WriteLine(JsonSerializer.Serialize(r, BenchJson.Default.BenchResult));

// Ratios pair the two scenarios of the same round (run minutes apart, not tens of minutes) and report the median
// of the per-round ratios: on a shared machine whose speed drifts, that is steadier than a ratio of medians.
double? Paired(string name, string scenarioA, int rulesA, string scenarioB, int rulesB, Func<BenchResult, double?>? numerator = null, Func<BenchResult, double?>? denominator = null)
{
    numerator ??= r => r.Mpps;
    denominator ??= r => r.Mpps;
    var ratios = new List<double>();
    for (var r = 0; r < rounds; r++)
    {
        var a = samples.FirstOrDefault(s => s.Round == r && s.Result.Scenario == scenarioA && s.Result.Rules == rulesA).Result;
        var b = samples.FirstOrDefault(s => s.Round == r && s.Result.Scenario == scenarioB && s.Result.Rules == rulesB).Result;
        var top = a is null ? null : numerator(a);
        var bottom = b is null ? null : denominator(b);
        if (top is not null && bottom is > 0)
            ratios.Add(top.Value / bottom.Value);
    }
    if (ratios.Count == 0)
        return null;
    ratios.Sort();
    ranges[name] = (Math.Round(ratios[0], 2), Math.Round(ratios[^1], 2));
    return Math.Round(ratios[ratios.Count / 2], 2);
}
var summary = new BenchSummary("summary",
    Paired("raw-ring", "pd-forward", 1, "raw-ring", 0),
    Paired("raw-ring-busy", "pd-forward", 1, "raw-ring", 0, r => r.MppsPerBusyCore, r => r.MppsPerBusyCore),
    Paired("traditional", "pd-forward", 1, "traditional", 0),
    Paired("traditional-channel", "pd-forward", 1, "traditional-channel", 0),
    Paired("socket", "pd-forward", 1, "socket", 0),
    Paired("100k", "pd-forward", 100_000, "pd-forward", 1),
    Paired("actors", "pd-forward", 1, "pd-forward-direct", 1),
    Paired("classifier", "classifier", 100_000, "classifier", 100_000, denominator: r => r.BaselineMpps));
foreach (var rules in ruleCounts)
    Paired($"actors-{rules}", "pd-forward", rules, "pd-forward-direct", rules);
Console.WriteLine(JsonSerializer.Serialize(summary, BenchJson.Default.BenchSummary));

var machine = MachineInfo.Here(quick, rounds);
// Only a full run of every scenario replaces the published results; quick and partial runs keep files of their own.
var stem = quick ? "results-quick" : chosen.Count == known.Length && rulesIndex < 0 ? "results" : "results-partial";
Directory.CreateDirectory(resultsDir);
File.WriteAllText(Path.Combine(resultsDir, stem + ".json"), JsonSerializer.Serialize(new BenchRun(machine, results, summary), BenchJson.Default.BenchRun) + "\n");
File.WriteAllText(Path.Combine(resultsDir, stem + ".md"), Markdown(machine, results, summary, ranges, stem + ".svg"));
SvgChart.Write(Path.Combine(resultsDir, stem + ".svg"), machine, results);
return 0;

static string Markdown(MachineInfo m, List<BenchResult> results, BenchSummary s, Dictionary<string, (double Min, double Max)> ranges, string chart)
{
    string Range(string name) => ranges.TryGetValue(name, out var r) ? $" ({r.Min:0.00}–{r.Max:0.00})" : "";
    var md = new StringBuilder();
    md.AppendLine("# Benchmark results").AppendLine();
    md.AppendLine($"![Packets per second by scenario]({chart})").AppendLine();
    md.AppendLine($"{m.Date} · {m.Cpu} · {m.Cores} cores · {m.MemoryGib} GiB · {m.Os} · {m.Runtime}{(m.Quick ? " · --quick" : "")}").AppendLine();
    md.AppendLine($"Produced by `bench/run.sh`; every figure below comes from the same run on the machine above: the median of {m.Rounds} interleaved round(s), with the range across rounds. 64-byte frames (60 without FCS).").AppendLine();
    md.AppendLine("| scenario | provider | rules | Mpps (median) | Mpps range | Mpps per busy core (busy %) | baseline Mpps | alloc B/packet | p50 µs | p99 µs | p99.9 µs | note |");
    md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    foreach (var r in results)
        md.AppendLine($"| {r.Scenario} | {r.Provider} | {r.Rules:N0} | {r.Mpps:0.000} | {r.MppsMin:0.000}–{r.MppsMax:0.000} | {(r.MppsPerBusyCore is { } c ? $"{c:0.000} ({r.BusyPercent:0}%)" : "")} | {(r.BaselineMpps is { } b ? b.ToString("0.000###") : "")} | {r.AllocBytesPerPacket:0.###} | {r.P50Us:0.0} | {r.P99Us:0.0} | {r.P999Us:0.0} | {r.Note} |");
    md.AppendLine().AppendLine("Ratios below are the median of the per-round ratios (the two scenarios of one round), with their range across rounds.").AppendLine();
    md.AppendLine("| ratio (same run) | value | target |").AppendLine("|---|---:|---:|");
    md.AppendLine($"| pd-forward (1 rule) / raw-ring | {s.ForwardVsRawRing?.ToString("0.00") ?? "–"}{Range("raw-ring")} | ≥ 0.7 |");
    md.AppendLine($"| pd-forward (1 rule) / raw-ring, per busy forwarding core | {s.ForwardVsRawRingPerBusyCore?.ToString("0.00") ?? "–"}{Range("raw-ring-busy")} | ≥ 0.7 |");
    md.AppendLine($"| pd-forward (1 rule) / traditional (a thread-pool callback per packet) | {s.ForwardVsTraditional?.ToString("0.00") ?? "–"}{Range("traditional")} | |");
    md.AppendLine($"| pd-forward (1 rule) / traditional-channel (Channel reader draining in batches) | {s.ForwardVsTraditionalChannel?.ToString("0.00") ?? "–"}{Range("traditional-channel")} | |");
    md.AppendLine($"| pd-forward (1 rule) / socket (the OS's normal path) | {s.ForwardVsSocket?.ToString("0.00") ?? "–"}{Range("socket")} | ≥ 10 |");
    md.AppendLine($"| pd-forward (100k rules) / pd-forward (1 rule) | {s.HundredThousandVsOne?.ToString("0.00") ?? "–"}{Range("100k")} | ≥ 0.5 |");
    md.AppendLine($"| pd-forward through QueueActors / without actors (1 rule) | {s.ActorsVsDirect?.ToString("0.00") ?? "–"}{Range("actors")} | ≥ 0.9 |");
    foreach (var r in results.Where(r => r.WithoutActorsMpps is not null && r.Rules != 1))
        md.AppendLine($"| pd-forward {r.Rules:N0} rules: with actors / without | {(ranges.TryGetValue($"actors-{r.Rules}", out var a) ? $"{a.Min:0.00}–{a.Max:0.00} per round; medians {r.Mpps:0.00} / {r.WithoutActorsMpps:0.00} Mpps" : "–")} | ≥ 0.9 |");
    foreach (var r in results.Where(r => r.MppsPerCore is not null))
        md.AppendLine($"| actor-pingpong / Channel ping-pong | {r.Mpps / r.BaselineMpps:0.00} ({r.Mpps:0.00} / {r.BaselineMpps:0.00} M msg/s; {r.MppsPerCore:0.00} M msg/s per core) | |");
    foreach (var r in results.Where(r => r.RemovalP99Ms is not null))
        md.AppendLine($"| device-events: removal p50 / p99 ms, D3 quiesce p50 / p99 ms | {r.RemovalP50Ms:0.00} / {r.RemovalP99Ms:0.00}, {r.QuiesceP50Ms:0.00} / {r.QuiesceP99Ms:0.00} | |");
    foreach (var r in results.Where(r => r.Scenario == "control-latency"))
    {
        string P99Range(string load) => ranges.TryGetValue($"control-latency {r.Provider} {load}", out var p) ? $" ({p.Min:0}–{p.Max:0})" : "";
        md.AppendLine($"| control-latency ({r.Provider}): filter publish → every queue using it, p50 / p99 µs (p99 range) at 0 pps; 200k pps; full load | " +
            $"{r.IdleP50Us:0.0} / {r.IdleP99Us:0.0}{P99Range("idle")}; {r.P50Us200Kpps:0.0} / {r.P99Us200Kpps:0.0}{P99Range("200k")}; {r.LoadedP50Us:0.0} / {r.LoadedP99Us:0.0}{P99Range("loaded")} | p99 < 1,000 |");
        md.AppendLine($"| control-latency ({r.Provider}), oversubscribed (a generator thread beside both queue threads: 3 busy threads on 2 cores), p50 / p99 µs | " +
            $"{r.OversubscribedP50Us:0.0} / {r.OversubscribedP99Us:0.0}{P99Range("oversubscribed")} | |");
    }
    foreach (var r in results.Where(r => r.Scenario == "control-latency"))
        md.AppendLine($"| control-latency ({r.Provider}): CPU of a queue thread at 0 pps / 200k pps, % of a core | {r.IdleCpuPercent?.ToString("0.0") ?? "–"} / {r.CpuPercent200Kpps?.ToString("0.0") ?? "–"} | |");
    md.AppendLine($"| classifier (100k rules) / linear scan | {s.ClassifierVsLinear?.ToString("0") ?? "–"}{Range("classifier")} | |");
    return md.ToString();
}
