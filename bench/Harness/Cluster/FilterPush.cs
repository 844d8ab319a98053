using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;
using PdCluster.DataPath;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// The <c>filter-push</c> scenario on N real <c>pd node run</c> processes sharing a real 3-member etcd: cluster filters
/// written one at a time as <c>pd filter add</c> writes them (through a node's admin endpoint, timed from the answer
/// that the write is committed) until every node's status shows it applied; each beside one etcd put → watch round
/// trip on the same cluster; then the push filters removed and 10,000 written by <c>pd filter add FILE</c> (the bulk
/// form: transactions of etcd's maximum size, several in flight).
/// </summary>
internal sealed class FilterPush(string pd, EtcdMembers etcd, int pushes, int bulk)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>Runs the scenario on <paramref name="nodeCount"/> nodes.</summary>
    public async Task<(ClusterRow Row, List<double> Push, List<double> RoundTrip)> RunAsync(int nodeCount)
    {
        await using var store = new EtcdStore(etcd.Options);
        Log($"{nodeCount} nodes: starting");
        await using var nodes = await PdNodes.StartAsync(pd, nodeCount, $"bench-{nodeCount}", etcd, store);
        await using var watch = await StatusWatch.StartAsync(store, $"{nodes.Prefix}status/", nodes.Members.Select(m => m.Name));
        await using var roundTrip = await EtcdRoundTrip.StartAsync(store);
        using var admin = new HttpClient { BaseAddress = nodes.Members[0].Admin, Timeout = TimeSpan.FromSeconds(30) };

        Log($"{nodeCount} nodes: {pushes} pushes through {nodes.Members[0].Name}'s admin endpoint");
        var push = new List<double>(pushes);
        var trips = new List<double>(pushes);
        var early = 0;
        for (var i = 0; i < pushes; i++)
        {
            trips.Add(await roundTrip.MeasureAsync(i));
            var id = $"push-{i:D5}";
            using var response = await admin.PutAsync($"cluster/filters/{id}", new StringContent(Document(id, 10_000 + i)));
            var answer = await response.Content.ReadAsStringAsync();
            var committed = Stopwatch.GetTimestamp();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"PUT /cluster/filters/{id}: {(int)response.StatusCode} {answer}");
            var revision = JsonDocument.Parse(answer).RootElement.GetProperty("revision").GetInt64();
            var applied = await watch.AllAppliedAsync(revision, Patience);
            // The last status can arrive before the admin endpoint's answer; such a push counts as 0 ms.
            if (applied < committed)
                early++;
            push.Add(Math.Max(0, Stopwatch.GetElapsedTime(committed, applied).TotalMilliseconds));
        }

        Log($"{nodeCount} nodes: removing the push filters");
        var ids = Enumerable.Range(0, pushes).Select(i => $"{nodes.Prefix}filters/push-{i:D5}").ToList();
        var removed = 0L;
        foreach (var chunk in ids.Chunk(EtcdMembers.MaxTxnOps))
            removed = (await store.TxnAsync([], [.. chunk.Select(k => new TxnOp.Delete(k))])).Revision;
        await watch.AllAppliedAsync(removed, Patience);

        Log($"{nodeCount} nodes: {bulk:N0} filters by `pd filter add FILE` (the file's list, in transactions of {EtcdMembers.MaxTxnOps})");
        var documents = Enumerable.Range(0, bulk).Select(i => Document($"bulk-{i:D5}", 20_000 + i)).ToList();
        var start = Stopwatch.GetTimestamp();
        var added = await AddFileAsync(documents, nodes.Cluster);
        var written = Stopwatch.GetTimestamp();
        var done = await watch.AllAppliedAsync(added.LastRevision, Patience);
        var timeline = watch.Timeline(start).Where(t => t.Revision >= added.FirstRevision).ToList();
        var perNode = timeline.GroupBy(t => t.Node).Select(g => (Updates: g.Count(), Done: g.Max(t => t.At))).ToList();

        var row = new ClusterRow("filter-push", nodeCount, pushes,
            Percentile(push, 50), Percentile(push, 90), Percentile(push, 99), Math.Round(push.Max(), 2), early,
            Percentile(trips, 50), Percentile(trips, 99), Ratio(Percentile(push, 50), Percentile(trips, 50)), Ratio(Percentile(push, 99), Percentile(trips, 99)),
            bulk, added.Transactions, added.InFlight, Seconds(start, written), Seconds(start, done), Seconds(start, perNode.Min(n => n.Done)),
            perNode.Min(n => n.Updates), perNode.Max(n => n.Updates), CompileMilliseconds(documents));
        Log($"{nodeCount} nodes: push p50 {row.P50Ms} ms, p99 {row.P99Ms} ms; bulk {row.Bulk10kSeconds} s");
        return (row, push, trips);
    }

    /// <summary>
    /// Runs <c>pd filter add FILE --etcd … -o json</c> on a file holding <paramref name="documents"/> as a list, as a
    /// user pushes filters in bulk, and returns what it reports (transactions, how many were in flight, revisions).
    /// </summary>
    private async Task<BulkAdded> AddFileAsync(IReadOnlyList<string> documents, string cluster)
    {
        var dir = Directory.CreateTempSubdirectory("pd-bench-bulk-");
        try
        {
            var file = Path.Combine(dir.FullName, "filters.json");
            await File.WriteAllTextAsync(file, $"[{string.Join(",\n", documents)}]");
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { pd, "filter", "add", file, "--etcd", string.Join(",", etcd.Endpoints), "--cluster", cluster, "-o", "json" })
                info.ArgumentList.Add(a);
            using var process = Process.Start(info) ?? throw new InvalidOperationException("pd filter add did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"pd filter add FILE exited with {process.ExitCode}: {await errors}");
            var answer = JsonDocument.Parse(await output).RootElement;
            return new BulkAdded(answer.GetProperty("transactions").GetInt32(), answer.GetProperty("inFlight").GetInt32(),
                answer.GetProperty("firstRevision").GetInt64(), answer.GetProperty("lastRevision").GetInt64());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record BulkAdded(int Transactions, int InFlight, long FirstRevision, long LastRevision);

    /// <summary>A cluster filter document as <c>pd filter add</c> writes it: count UDP to one port, installed in the adapter on queue 0.</summary>
    private static string Document(string id, int port) =>
        "{\"schemaVersion\":1,\"filter\":{\"id\":\"" + id + "\",\"priority\":50,\"action\":\"count\",\"queue\":0,\"match\":{\"protocol\":\"udp\",\"destinationPort\":\""
            + port.ToString(CultureInfo.InvariantCulture) + "\"}}}";

    /// <summary>Compiling the bulk's whole set once, in this process: what one publish of it costs a node in compile time.</summary>
    private static double CompileMilliseconds(IEnumerable<string> documents)
    {
        var specs = documents.Select(d => ClusterFilter.Read(d, "bench").Filter).ToList();
        CompiledFilterSet.Compile(specs[..Math.Min(100, specs.Count)]);
        var start = Stopwatch.GetTimestamp();
        CompiledFilterSet.Compile(specs);
        return Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 1);
    }

    private static double Percentile(List<double> samples, double percentile)
    {
        var sorted = samples.Order().ToList();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
    }

    private static double? Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 1) : null;

    private static double Seconds(long from, long to) => Math.Round(Stopwatch.GetElapsedTime(from, to).TotalSeconds, 3);

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] filter-push: {line}");
}
