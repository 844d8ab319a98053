using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using PdCluster.Cluster;
using PdCluster.Cluster.Etcd;

namespace PdCluster.Tests.Cluster.Etcd;

/// <summary>
/// Real etcd members on loopback for a test: free ports, a temporary directory for data (and certificates), optional
/// TLS with client certificates and a short auth-token TTL. A member can be killed and started again on its data, and the
/// raft leader named. Disposing kills each member by its PID and removes the directory.
/// </summary>
public sealed partial class EtcdServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly Process?[] _members;
    private readonly StringBuilder _log = new();
    private readonly int[] _peers;
    private readonly int _authTokenTtlSeconds;
    private readonly int? _maxTxnOps;

    private EtcdServer(string dir, int members, TestCertificates? tls, int authTokenTtlSeconds, int? maxTxnOps)
    {
        _dir = dir;
        _members = new Process?[members];
        _authTokenTtlSeconds = authTokenTtlSeconds;
        _maxTxnOps = maxTxnOps;
        Tls = tls;
        Endpoints = [.. Enumerable.Range(0, members).Select(_ => new Uri($"{(tls is null ? "http" : "https")}://127.0.0.1:{FreePort()}"))];
        _peers = [.. Enumerable.Range(0, members).Select(_ => FreePort())];
    }

    /// <summary>The members' client URLs.</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The certificates when the members serve TLS and ask for client certificates.</summary>
    public TestCertificates? Tls { get; }

    /// <summary>Options reaching every member (with the client certificate when TLS is on).</summary>
    public EtcdOptions Options => new()
    {
        Endpoints = Endpoints,
        CaFile = Tls?.Ca,
        CertFile = Tls?.ClientCert,
        KeyFile = Tls?.ClientKey,
    };

    /// <summary>Starts <paramref name="members"/> members as one cluster and waits until it serves; <paramref name="maxTxnOps"/> raises etcd's limit on a transaction's operations.</summary>
    public static async Task<EtcdServer> StartAsync(int members = 1, bool tls = false, int authTokenTtlSeconds = 300, int? maxTxnOps = null)
    {
        EtcdPrerequisite.Require();
        for (var attempt = 1; ; attempt++)
        {
            var dir = Directory.CreateTempSubdirectory("pd-etcd-").FullName;
            var server = new EtcdServer(dir, members, tls ? TestCertificates.Create(dir) : null, authTokenTtlSeconds, maxTxnOps);
            try
            {
                for (var i = 0; i < members; i++)
                    server.Launch(i);
                await server.WaitServingAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server._members.Any(m => m is { HasExited: true }))
            {
                // A member that exited at start most likely lost its free port to another process between the choice
                // and the bind (tests run in parallel): start again on new ports.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Kills member <paramref name="index"/> (SIGKILL by PID), as a crashed host.</summary>
    public void Kill(int index)
    {
        if (_members[index] is { } member)
        {
            member.Kill();
            member.WaitForExit();
            member.Dispose();
            _members[index] = null;
        }
    }

    /// <summary>Stops member <paramref name="index"/> (SIGSTOP) or lets it go on (SIGCONT): a host that stops answering without closing a connection.</summary>
    public void Freeze(int index, bool frozen = true)
    {
        var member = _members[index] ?? throw new InvalidOperationException($"etcd member m{index} is not running.");
        if (Signal(member.Id, frozen ? SigStop : SigCont) != 0)
            throw new InvalidOperationException($"kill({member.Id}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);

    /// <summary>
    /// Starts killed member <paramref name="index"/> again on its data directory and ports, and waits until it serves
    /// a linearizable read itself: it has rejoined the cluster and applied everything committed before.
    /// </summary>
    public async Task RestartAsync(int index)
    {
        if (_members[index] is not null)
            throw new InvalidOperationException($"etcd member m{index} is running.");
        Launch(index);
        await using var store = new EtcdStore(Options with { Endpoints = [Endpoints[index]], RequestTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(1) });
        await WaitServingAsync(store);
    }

    /// <summary>The index of the member the running ones name as their raft leader (asked through /v3/maintenance/status), once they agree on one.</summary>
    public async Task<int> LeaderAsync()
    {
        using var http = Client();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var ids = new Dictionary<string, int>();
            var leaders = new HashSet<string>();
            for (var i = 0; i < _members.Length; i++)
            {
                if (_members[i] is null)
                    continue;
                try
                {
                    using var response = await http.PostAsync(new Uri(Endpoints[i], "/v3/maintenance/status"), new StringContent("{}"));
                    using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    ids[status.RootElement.GetProperty("header").GetProperty("member_id").ToString()] = i;
                    leaders.Add(status.RootElement.TryGetProperty("leader", out var leader) ? leader.ToString() : "");
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
                {
                    leaders.Add("");
                }
            }
            if (leaders.Count == 1 && ids.TryGetValue(leaders.Single(), out var index))
                return index;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the running etcd members name no one leader (leaders {string.Join(", ", leaders)}; members {string.Join(", ", ids.Keys)}).");
            await Task.Delay(100);
        }
    }

    /// <summary>Creates the root user and role and turns auth on, through the gateway.</summary>
    public async Task EnableAuthAsync(string password)
    {
        using var http = Client();
        foreach (var (path, body) in new[]
        {
            ("/v3/auth/user/add", $$"""{"name":"root","password":"{{password}}"}"""),
            ("/v3/auth/role/add", """{"name":"root"}"""),
            ("/v3/auth/user/grant", """{"user":"root","role":"root"}"""),
            ("/v3/auth/enable", "{}"),
        })
        {
            using var response = await http.PostAsync(new Uri(Endpoints[0], path), new StringContent(body));
            Assert.True(response.IsSuccessStatusCode, $"{path}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>A plain HTTP client for the gateway, trusting the test CA and presenting the client certificate when TLS is on.</summary>
    public HttpClient Client()
    {
        var handler = new SocketsHttpHandler();
        if (Tls is { } t)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.ImportFromPemFile(t.Ca);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy, ClientCertificates = [X509Certificate2.CreateFromPemFile(t.ClientCert, t.ClientKey)] };
        }
        return new HttpClient(handler);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _members.Length; i++)
            Kill(i);
        await Task.Run(() => Directory.Delete(_dir, recursive: true));
    }

    private void Launch(int i)
    {
        var cluster = string.Join(',', _peers.Select((p, m) => $"m{m}=http://127.0.0.1:{p}"));
        var info = new ProcessStartInfo("etcd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string>
        {
            "--name", $"m{i}", "--data-dir", Path.Combine(_dir, $"m{i}"),
            "--listen-client-urls", Endpoints[i].GetLeftPart(UriPartial.Authority), "--advertise-client-urls", Endpoints[i].GetLeftPart(UriPartial.Authority),
            "--listen-peer-urls", $"http://127.0.0.1:{_peers[i]}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{_peers[i]}",
            "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", Path.GetFileName(_dir),
            "--auth-token", "simple", "--auth-token-ttl", _authTokenTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (_maxTxnOps is { } ops)
            args.AddRange(["--max-txn-ops", ops.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (Tls is { } t)
            args.AddRange(["--cert-file", t.ServerCert, "--key-file", t.ServerKey, "--trusted-ca-file", t.Ca, "--client-cert-auth"]);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _members[i] = process;
    }

    private async Task WaitServingAsync()
    {
        await using var store = new EtcdStore(Options with { RequestTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(1) });
        await WaitServingAsync(store);
    }

    private async Task WaitServingAsync(EtcdStore store)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await store.GetAsync("/");
                return;
            }
            catch (EtcdException) when (DateTime.UtcNow < deadline && _members.All(m => m is not { HasExited: true }))
            {
                await Task.Delay(100);
            }
            catch (EtcdException e)
            {
                string log;
                lock (_log)
                    log = _log.ToString();
                throw new InvalidOperationException($"etcd did not start ({e.Message}); its log ends:\n{log[^Math.Min(log.Length, 4000)..]}", e);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            _log.AppendLine(line);
            if (_log.Length > 64_000)
                _log.Remove(0, _log.Length - 32_000);
        }
    }

    /// <summary>A loopback TCP port free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
