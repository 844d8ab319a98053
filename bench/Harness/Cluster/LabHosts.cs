using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// The multi-host lab (<c>cluster-config/lab/lab.sh</c>) under a namespace prefix and a state directory of this
/// process's own: hosts as namespaces with a <c>pd node run</c> each on <c>afxdp</c>, a generator, a 3-member etcd.
/// Its commands run through the script; disposing runs <c>lab.sh down</c>.
/// </summary>
internal sealed class LabHosts : IAsyncDisposable
{
    private readonly string _script;
    private readonly Dictionary<string, string> _environment;
    private bool _up;

    private LabHosts(string pd)
    {
        _script = Path.GetFullPath(Path.Combine("cluster-config", "lab", "lab.sh"));
        Prefix = $"pdfb{Environment.ProcessId}";
        _environment = new()
        {
            ["LAB_PREFIX"] = Prefix,
            ["LAB_STATE"] = $"/run/pd-failbench-{Environment.ProcessId}",
            ["PD_DLL"] = pd,
        };
    }

    /// <summary>The prefix of the lab's namespace names.</summary>
    public string Prefix { get; }

    /// <summary>Where the namespace of <paramref name="host"/> (h1, gen, ...) is bound.</summary>
    public string Namespace(string host) => $"/run/netns/{Prefix}-{host}";

    /// <summary>Builds the lab: <paramref name="hosts"/> hosts, the last with a team of two NICs.</summary>
    public static async Task<LabHosts> UpAsync(string pd, int hosts, CancellationToken cancel)
    {
        var lab = new LabHosts(pd);
        lab._up = true;
        try
        {
            await lab.RunAsync(cancel, "up", "--hosts", hosts.ToString(CultureInfo.InvariantCulture), "--team");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>lab.sh ARGS</c> and returns its standard output; a failure throws with what it wrote on standard error.</summary>
    public async Task<string> RunAsync(CancellationToken cancel, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(_script);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (key, value) in _environment)
            info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"lab.sh {string.Join(' ', args)} exited with {process.ExitCode}: {(await error).Trim()}");
        cancel.ThrowIfCancellationRequested();
        return await output;
    }

    /// <summary>The MAC of <paramref name="host"/>'s <paramref name="device"/>, or null when it has none.</summary>
    public async Task<string?> MacAsync(string host, string device, CancellationToken cancel)
    {
        try
        {
            var json = await RunAsync(cancel, "exec", host, "ip", "-j", "link", "show", device);
            return JsonDocument.Parse(json).RootElement[0].GetProperty("address").GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>GET <paramref name="path"/> from <paramref name="host"/>'s admin endpoint; null when its node does not answer.</summary>
    public async Task<JsonElement?> AdminAsync(string host, string path, CancellationToken cancel)
    {
        try
        {
            var json = await RunAsync(cancel, "exec", host, "curl", "-sf", "--max-time", "2", $"http://127.0.0.1:9470{path}");
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_up)
            return;
        _up = false;
        await RunAsync(CancellationToken.None, "down");
    }
}
