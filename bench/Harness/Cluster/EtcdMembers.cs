using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// An etcd cluster for the benchmark: members on loopback with free ports and a temporary data directory, each
/// logging to a file there. Disposing kills each member by its PID and removes the directory.
/// </summary>
internal sealed class EtcdMembers : IAsyncDisposable
{
    private readonly Process[] _members;

    private EtcdMembers(string dir, Process[] members, IReadOnlyList<Uri> endpoints)
    {
        Directory = dir;
        _members = members;
        Endpoints = endpoints;
    }

    /// <summary>The members' <c>--max-txn-ops</c>: raised from etcd's default (128) to what a bulk <c>pd filter add</c> tries first, as the lab runs it.</summary>
    public const int MaxTxnOps = 1024;

    /// <summary>The members' client URLs.</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The temporary directory holding the members' data and logs.</summary>
    public string Directory { get; }

    /// <summary>Options reaching every member.</summary>
    public EtcdOptions Options => new() { Endpoints = Endpoints };

    /// <summary>Starts <paramref name="count"/> members as one cluster and returns once it serves.</summary>
    public static async Task<EtcdMembers> StartAsync(int count)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("pd-bench-etcd-").FullName;
        var clients = Enumerable.Range(0, count).Select(_ => FreePort()).ToArray();
        var peers = Enumerable.Range(0, count).Select(_ => FreePort()).ToArray();
        var cluster = string.Join(',', peers.Select((p, i) => $"m{i}=http://127.0.0.1:{p}"));
        var etcd = new EtcdMembers(dir, new Process[count], [.. clients.Select(p => new Uri($"http://127.0.0.1:{p}"))]);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var info = new ProcessStartInfo("etcd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in new[]
                {
                    "--name", $"m{i}", "--data-dir", Path.Combine(dir, $"m{i}"),
                    "--listen-client-urls", $"http://127.0.0.1:{clients[i]}", "--advertise-client-urls", $"http://127.0.0.1:{clients[i]}",
                    "--listen-peer-urls", $"http://127.0.0.1:{peers[i]}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peers[i]}",
                    "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", Path.GetFileName(dir),
                    "--max-txn-ops", MaxTxnOps.ToString(CultureInfo.InvariantCulture),
                    "--logger", "zap", "--log-outputs", Path.Combine(dir, $"m{i}.log"),
                })
                    info.ArgumentList.Add(a);
                var member = etcd._members[i] = Process.Start(info) ?? throw new InvalidOperationException("etcd did not start");
                member.BeginOutputReadLine();
                member.BeginErrorReadLine();
            }
            await etcd.WaitServingAsync();
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members.OfType<Process>())
        {
            if (!member.HasExited)
                member.Kill();
            await member.WaitForExitAsync();
            member.Dispose();
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task WaitServingAsync()
    {
        await using var store = new EtcdStore(Options with { RequestTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(1) });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await store.PutAsync("/bench/ready", "1");
                return;
            }
            catch (EtcdException) when (DateTime.UtcNow < deadline && _members.All(m => m is { HasExited: false }))
            {
                await Task.Delay(100);
            }
            catch (EtcdException e)
            {
                var log = Path.Combine(Directory, "m0.log");
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "(no log)";
                throw new InvalidOperationException($"etcd did not start ({e.Message}); member m0's log ends:\n{tail}", e);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
