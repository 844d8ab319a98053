using System.Diagnostics;
using PdCluster.Nic.SoftNic;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Diagnostics;
using PdCluster.Queues.Packets;

namespace PdCluster.Bench;

/// <summary>The traffic and rule sets every scenario shares, so their numbers compare.</summary>
internal static class Workload
{
    /// <summary>64-byte frames on the wire: 60 bytes without FCS.</summary>
    public const int FrameSize = 60;

    /// <summary>Source address of rule <paramref name="i"/>: consecutive addresses from 198.18.0.0 (room for 131,072).</summary>
    public static string RuleAddress(int i) => $"198.{18 + (i >> 16)}.{(i >> 8) & 0xFF}.{i & 0xFF}";

    /// <summary>
    /// <paramref name="count"/> filters: one UDP count rule for 1; otherwise exact source-address + destination-port
    /// rules (the shape of a per-client ACL) and a lowest-priority catch-all, all counting.
    /// </summary>
    public static IReadOnlyList<FilterSpec> Rules(int count)
    {
        if (count == 1)
            return [new FilterSpec { Id = "udp", Action = FilterAction.Count, Match = new() { ["protocol"] = "udp" } }];
        var rules = new List<FilterSpec>(count);
        for (var i = 0; i < count - 1; i++)
            rules.Add(new FilterSpec { Id = $"r{i}", Priority = 1, Match = new() { ["sourceIp"] = RuleAddress(i), ["destinationPort"] = "53" } });
        rules.Add(new FilterSpec { Id = "rest", Priority = 2 });
        return rules;
    }

    /// <summary>Four UDP flows whose sources hit rules spread across a table of <paramref name="rules"/>.</summary>
    public static IReadOnlyList<GeneratorFlow> Flows(int rules) =>
        [.. new[] { 0, rules / 3, 2 * rules / 3, Math.Max(0, rules - 2) }.Select(i => new GeneratorFlow(RuleAddress(i), "198.19.255.1", 17, 40000, 53, FrameSize))];

    /// <summary>The frames of <see cref="Flows"/>, built once, for scenarios that do not use the generator.</summary>
    public static byte[][] Frames(int rules) =>
        [.. Flows(rules).Select(f => new FrameBuilder().Ethernet(f.DestinationMac, f.SourceMac).Ipv4(f.Source, f.Destination).Udp(f.SourcePort, f.DestinationPort).Payload(16).Build(FrameSize))];

    /// <summary>Nanoseconds since a Stopwatch timestamp.</summary>
    public static long NanosecondsSince(long timestamp) => (long)((Stopwatch.GetTimestamp() - timestamp) * (1e9 / Stopwatch.Frequency));

    /// <summary>A result line from counters measured over a window.</summary>
    public static BenchResult Result(string scenario, string provider, int rules, long packets, double seconds, long allocated, LatencyHistogram latency, string? note = null) =>
        new(scenario, provider, rules, Math.Round(packets / seconds / 1e6, 3), packets == 0 ? 0 : Math.Round((double)allocated / packets, 3),
            latency.Percentile(50) / 1000.0, latency.Percentile(99) / 1000.0, latency.Percentile(99.9) / 1000.0, packets, Math.Round(seconds, 2), Note: note);

    /// <summary>Adds the forwarding core's load over the window and what it forwards per second of busy time.</summary>
    public static BenchResult WithBusy(this BenchResult result, long packets, double seconds, TimeSpan busy) =>
        busy <= TimeSpan.Zero
            ? result
            : result with { BusyPercent = Math.Round(busy.TotalSeconds / seconds * 100, 1), MppsPerBusyCore = Math.Round(packets / busy.TotalSeconds / 1e6, 3) };
}
