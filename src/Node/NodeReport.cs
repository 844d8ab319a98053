using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace PdCluster.Node;

/// <summary>Per-queue rates over one reporting interval, as a table or one JSON line.</summary>
internal sealed record NodeReport(
    [property: JsonPropertyName("t")] double Seconds,
    [property: JsonPropertyName("queues")] IReadOnlyList<QueueReport> Queues,
    [property: JsonPropertyName("generator_sent")] long Sent,
    [property: JsonPropertyName("generator_returned")] long Returned,
    [property: JsonPropertyName("os_path")] long OsPath,
    [property: JsonPropertyName("p99_us")] double P99Microseconds)
{
    /// <summary>Rates between two snapshots taken <paramref name="interval"/> seconds apart.</summary>
    public static NodeReport Between(NodeSnapshot before, NodeSnapshot now, double interval, double seconds, double p99) => new(
        Math.Round(seconds, 1),
        now.Queues.Select((q, i) => new QueueReport(
            q.Queue,
            Rate(q.Received - before.Queues[i].Received, interval),
            Rate(q.Transmitted - before.Queues[i].Transmitted, interval),
            Rate(q.Dropped - before.Queues[i].Dropped, interval),
            q.FilterHits)).ToList(),
        now.Sent, now.Returned, now.OsPath, Math.Round(p99, 1));

    /// <summary>Writes one JSON object on one line.</summary>
    public void WriteJson(TextWriter output) => output.WriteLine(JsonSerializer.Serialize(this, NodeJson.Default.NodeReport));

    /// <summary>Writes a readable table.</summary>
    public void WriteTable(IAnsiConsole console)
    {
        var table = new Table().Title($"pd0 at {Seconds:0.0} s")
            .Caption($"generator sent {Sent:N0}, returned {Returned:N0} · OS path {OsPath:N0} · round-trip p99 {P99Microseconds:0.0} µs")
            .AddColumns("queue", "rx pps", "tx pps", "drops/s", "filter hits");
        foreach (var q in Queues)
        {
            var hits = string.Join("  ", q.FilterHits.Select(h => $"{h.Key}={h.Value:N0}"));
            table.AddRow(q.Queue.ToString(), q.RxPps.ToString("N0"), q.TxPps.ToString("N0"), q.DropsPerSecond.ToString("N0"), Markup.Escape(hits));
        }
        console.Write(table);
    }

    private static long Rate(long delta, double seconds) => seconds <= 0 ? 0 : (long)(delta / seconds);
}

/// <summary>One queue's rates.</summary>
internal sealed record QueueReport(
    [property: JsonPropertyName("queue")] int Queue,
    [property: JsonPropertyName("rx_pps")] long RxPps,
    [property: JsonPropertyName("tx_pps")] long TxPps,
    [property: JsonPropertyName("drops_per_s")] long DropsPerSecond,
    [property: JsonPropertyName("filter_hits")] IReadOnlyDictionary<string, long> FilterHits);

[JsonSerializable(typeof(NodeReport))]
internal sealed partial class NodeJson : JsonSerializerContext;
