using System.Diagnostics;
using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// <c>pd node run</c> processes on one etcd cluster: each a simulated adapter without traffic (one queue that sleeps
/// on its drain notification), <c>store: etcd</c>, its admin endpoint on a free loopback port. Disposing kills each
/// by its PID and removes their directory.
/// </summary>
internal sealed class PdNodes : IAsyncDisposable
{
    private readonly List<(Process Process, string Name)> _processes = [];
    private readonly string _dir;

    private PdNodes(string dir, string cluster)
    {
        _dir = dir;
        Cluster = cluster;
    }

    /// <summary>The cluster the nodes belong to: their keys are under <c>/pd/&lt;cluster&gt;/</c>.</summary>
    public string Cluster { get; }

    /// <summary>Each node's name and admin endpoint, in start order.</summary>
    public IReadOnlyList<(string Name, Uri Admin)> Members { get; private set; } = [];

    /// <summary>The store prefix of the cluster's keys.</summary>
    public string Prefix => $"/pd/{Cluster}/";

    /// <summary>
    /// Starts <paramref name="count"/> nodes of <paramref name="cluster"/> with <paramref name="pd"/> (pd.dll) and returns
    /// once every one is registered and reports its filters applied.
    /// </summary>
    public static async Task<PdNodes> StartAsync(string pd, int count, string cluster, EtcdMembers etcd, IClusterStore store)
    {
        var nodes = new PdNodes(Directory.CreateTempSubdirectory("pd-bench-nodes-").FullName, cluster);
        try
        {
            File.WriteAllText(Path.Combine(nodes._dir, "filters.json"), """[ { "id": "count-rest", "priority": 100, "action": "count" } ]""");
            var endpoints = string.Join(", ", etcd.Endpoints.Select(e => $"\"{e.GetLeftPart(UriPartial.Authority)}\""));
            for (var i = 1; i <= count; i++)
            {
                var name = $"n{i}";
                var config = Path.Combine(nodes._dir, $"{name}.json");
                File.WriteAllText(config, $$"""
                    { "node": "{{name}}", "cluster": "{{cluster}}", "store": "etcd", "etcd": { "endpoints": [{{endpoints}}] },
                      "filters": "filters.json", "admin": { "listen": "127.0.0.1:0" },
                      "adapters": [ { "name": "pd0", "provider": "simulated", "pd": true, "queues": 1, "queueSize": 256, "buffers": 512, "drainNotification": true } ] }
                    """);
                var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in new[] { pd, "node", "run", "--config", config, "-o", "json" })
                    info.ArgumentList.Add(a);
                var process = Process.Start(info) ?? throw new InvalidOperationException("pd node run did not start");
                var log = Path.Combine(nodes._dir, $"{name}.log");
                process.OutputDataReceived += (_, _) => { };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (nodes._processes) File.AppendAllText(log, e.Data + "\n"); };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                nodes._processes.Add((process, name));
            }
            await nodes.WaitReadyAsync(store);
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, _) in _processes)
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private async Task WaitReadyAsync(IClusterStore store)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var members = (await store.RangeAsync($"{Prefix}members/")).Items.Select(m => JsonSerializer.Deserialize(m.Value, MembershipJson.Default.MemberRecord)!).ToList();
            var applied = (await store.RangeAsync($"{Prefix}status/")).Items.Select(s => JsonSerializer.Deserialize(s.Value, MembershipJson.Default.MemberStatus)!)
                .Count(s => s.Filters is { AppliedRevision: > 0, StoreError: null });
            if (members.Count == _processes.Count && applied == _processes.Count)
            {
                Members = [.. _processes.Select(p => (p.Name, new Uri($"http://{members.Single(m => m.Node == p.Name).Admin}/")))];
                return;
            }
            var exited = _processes.FindIndex(p => p.Process.HasExited);
            if (exited >= 0 || DateTime.UtcNow > deadline)
            {
                var (process, name) = _processes[Math.Max(exited, 0)];
                var log = Path.Combine(_dir, $"{name}.log");
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "(nothing on its standard error)";
                throw new InvalidOperationException($"node {name} {(exited < 0 ? "and the others did not all register and apply their filters within 120 s" : $"exited with {process.ExitCode}")}; its standard error ends:\n{tail}");
            }
            await Task.Delay(200);
        }
    }
}
