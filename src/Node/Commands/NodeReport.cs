using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Node.Hosting;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary>Per-queue rates over one reporting interval, written as a table or one JSON line; the generator's figures only where the node has one (simulated adapters).</summary>
internal sealed record NodeReport(
    [property: JsonPropertyName("t")] double Seconds,
    [property: JsonPropertyName("queues")] IReadOnlyList<QueueRates> Queues,
    [property: JsonPropertyName("generator_sent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sent,
    [property: JsonPropertyName("generator_returned"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Returned,
    [property: JsonPropertyName("p99_us"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? P99Microseconds,
    [property: JsonPropertyName("teams"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PdCluster.Actors.Framework.TeamStatus>? Teams = null,
    [property: JsonPropertyName("vswitch_ports"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PortRates>? Ports = null,
    [property: JsonPropertyName("vswitch_down"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? SwitchesDown = null)
{
    /// <summary>A line per switch whose external port is down (<see cref="PdCluster.VSwitch.SwitchStatus.AdapterFailure"/>), null when none is.</summary>
    public static IReadOnlyList<string>? Down(IReadOnlyList<PdCluster.VSwitch.SwitchStatus> switches) =>
        switches.Where(s => s.AdapterFailure is not null).Select(s => $"external port of VM switch {s.Name} down: {s.AdapterFailure}").ToList() is { Count: > 0 } down ? down : null;

    /// <summary>Counters of every queue now, keyed by adapter and queue.</summary>
    public static Dictionary<(string, int), QueueSample> Sample(NodeHost host) =>
        host.Telemetry.SelectMany(a => a.Queues.Select(q => ((a.Adapter, q.Queue), QueueSample.Of(q)))).ToDictionary(x => x.Item1, x => x.Item2);

    /// <summary>Rates since <paramref name="before"/>, taken <paramref name="interval"/> seconds ago.</summary>
    public static NodeReport Between(NodeHost host, Dictionary<(string, int), QueueSample> before, double interval, double seconds)
    {
        long Rate(long delta) => interval <= 0 ? 0 : (long)(delta / interval);
        var rows = new List<QueueRates>();
        foreach (var (adapter, state, queues) in host.Telemetry)
        {
            if (queues.Count == 0)
            {
                rows.Add(new QueueRates(adapter, null, state, 0, 0, 0, 0, 0, new Dictionary<string, long>()));
                continue;
            }
            foreach (var q in queues)
            {
                var then = before.GetValueOrDefault((adapter, q.Queue));
                var now = QueueSample.Of(q);
                var load = interval <= 0 ? 0 : Math.Clamp((now.Busy - then.Busy).TotalSeconds / interval * 100, 0, 100);
                rows.Add(new QueueRates(adapter, q.Queue, state, Rate(now.Rx - then.Rx), Rate(now.Tx - then.Tx), Rate(now.Drops - then.Drops),
                    Rate(now.ToOs - then.ToOs), Math.Round(load, 1), q.Snapshot().FilterHits));
            }
        }
        var traffic = host.Traffic;
        return new NodeReport(Math.Round(seconds, 1), rows, traffic?.Sent, traffic?.Returned, traffic is { } t ? Math.Round(t.P99Microseconds, 1) : null,
            host.Teams.Count == 0 ? null : host.Teams);
    }

    /// <summary>A caption line per team: <c>team t0: pd0 down (covered by pd1), pd1 up · 1 failovers, 0 failbacks</c>.</summary>
    private static string Describe(PdCluster.Actors.Framework.TeamStatus t) =>
        $"team {t.Team}: {string.Join(", ", t.Members.Select(Describe))} · {t.Failovers} failovers, {t.Failbacks} failbacks";

    private static string Describe(PdCluster.Actors.Framework.TeamMemberStatus m) =>
        m.Up ? $"{m.Adapter} up" : m.CoveredBy is { } by ? $"{m.Adapter} down (covered by {by})" : $"{m.Adapter} down (no member up)";

    private IEnumerable<string> Generator() =>
        Sent is { } sent ? [$"generator sent {sent:N0}, returned {Returned:N0} · round-trip p99 {P99Microseconds:0.0} µs"] : [];

    public void WriteJson(TextWriter output) => output.WriteLine(JsonSerializer.Serialize(this, NodeReportJson.Default.NodeReport));

    /// <summary>One table: a row per queue, each naming its busiest filters and summing the rest (<see cref="FilterHitSummary"/>).</summary>
    public void WriteTable(IAnsiConsole console)
    {
        var table = new Table().Title($"node at {Seconds:0.0} s")
            .AddColumns("adapter", "queue", "state", "rx pps", "tx pps", "drops/s", "to OS/s", "busy %", "filter hits (total)");
        foreach (var q in Queues)
        {
            table.AddRow(TerminalText.Cell(q.Adapter), q.Queue?.ToString() ?? "–", q.State.ToString(), q.RxPps.ToString("N0"), q.TxPps.ToString("N0"), q.DropsPerSecond.ToString("N0"), q.ToOsPerSecond.ToString("N0"), q.BusyPercent.ToString("0.0"),
                TerminalText.Cell(FilterHitSummary.Format(q.FilterHits)));
        }
        var caption = string.Join('\n', Generator().Concat((Teams ?? []).Select(Describe)).Concat(SwitchesDown ?? []).Select(TerminalText.Cell));
        if (caption.Length > 0)
            table.Caption(caption);
        TableOutput.Write(console, table);
        if (Ports is not { Count: > 0 } ports)
            return;
        var switched = new Table().Title("VM switch ports").AddColumns("switch", "VM", "port", "VFP", "to VM pps", "from VM pps", "blocked to VM/s", "blocked from VM/s");
        foreach (var p in ports)
            switched.AddRow(TerminalText.Cell(p.Switch), TerminalText.Cell(p.Vm ?? ""), TerminalText.Cell(p.Port), !p.VfpEnabled ? "off" : p.Disabled ? "disabled" : p.Blocked ? "blocked" : "rules",
                p.InPps.ToString("N0"), p.OutPps.ToString("N0"), p.InBlockedPerSecond.ToString("N0"), p.OutBlockedPerSecond.ToString("N0"));
        if (SwitchesDown is not null)
            switched.Caption("from VM: what the VMs sent; a switch whose external port is down drops what is not for another of its VMs");
        TableOutput.Write(console, switched);
    }
}
