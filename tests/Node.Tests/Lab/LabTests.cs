using System.Diagnostics;
using System.Text.RegularExpressions;
using PdCluster.Tests.Cluster.Etcd;
using PdCluster.Tests.Provider.Veth;
using Xunit.Abstractions;

namespace PdCluster.Tests.Node.Lab;

/// <summary>
/// The multi-host lab end to end (<c>cluster-config/lab/lab.sh</c>): two hosts in network namespaces, each a real
/// <c>pd</c> node on provider afxdp with etcd (3 members, TLS and auth) as its store; a filter pushed once runs on
/// both, a pulled NIC shows as Removed, the admin endpoints answer on loopback only, no secret reaches a log, and
/// <c>down</c> leaves nothing behind.
/// </summary>
[Collection(LabScript.Collection)]
public sealed partial class LabTests(ITestOutputHelper output)
{
    [LabFact]
    public void Two_hosts_run_a_pushed_filter_report_a_pulled_nic_and_leave_nothing_after_down()
    {
        HostPrerequisite.Require();
        EtcdPrerequisite.Require();
        var lab = new LabScript(output);
        var bpffsBefore = LabScript.BpfFsEntries();
        var took = Stopwatch.StartNew();
        try
        {
            lab.Run("up", "--hosts", "2");
            Assert.Equal([$"{lab.Prefix}-etcd1", $"{lab.Prefix}-etcd2", $"{lab.Prefix}-etcd3", $"{lab.Prefix}-fabric", $"{lab.Prefix}-gen", $"{lab.Prefix}-h1", $"{lab.Prefix}-h2"],
                lab.Namespaces().Order());
            var pids = Directory.GetFiles(lab.State, "pid", SearchOption.AllDirectories).Select(f => int.Parse(File.ReadAllText(f).Trim())).ToList();
            Assert.Equal(5, pids.Count);
            var records = new[] { "h1", "h2" }.Select(h => lab.XdpRecordPrefix(h)).ToList();
            Assert.All(records, r => Assert.Single(Directory.GetFiles("/run/pd/xdp", $"{r}*")));

            var nodes = lab.NodeList();
            Assert.Equal(["h1", "h2"], nodes.EnumerateArray().Where(n => n.GetProperty("live").GetBoolean()).Select(n => n.GetProperty("node").GetString()).Order());
            Assert.All(nodes.EnumerateArray(), n => Assert.Equal("Running", n.GetProperty("adapters").GetProperty("pd0").GetString()));

            var (reached, _, _) = lab.TryRun("exec", "h2", "curl", "-s", "--max-time", "3", "http://198.19.0.1:9470/status");
            Assert.True(reached == 7, $"curl from h2 to h1's management address, port 9470, exited {reached}, not 7 (connection refused): h1's admin endpoint must listen on h1's loopback only");

            var pushed = lab.Run("push-filter", "--id", "lab-drop-9", "--action", "drop", "--match", "protocol=udp,destinationPort=9");
            var revision = long.Parse(WrittenAt().Match(pushed).Groups[1].Value);
            Assert.All(lab.NodeList().EnumerateArray(), n => Assert.True(n.GetProperty("appliedRevision").GetInt64() >= revision,
                $"{n.GetProperty("node")} applied revision {n.GetProperty("appliedRevision")}, the filter was written at {revision}"));
            lab.Run("traffic", "--port", "9", "--count", "200");
            foreach (var host in new[] { "h1", "h2" })
                LabScript.Eventually(() => FilterHits(lab, host, "lab-drop-9") > 0, $"{host}'s node counting hits of lab-drop-9 (it got half of 200 UDP packets to port 9)");

            lab.Run("pull-nic", "h2");
            var mac = File.ReadAllText(Path.Combine(lab.State, "h2", "eth0-mac")).Trim();
            Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", mac);
            LabScript.Eventually(() => AdapterState(lab, "h2") == "Removed", "h2's pd0 Removed in pd node ls");
            Assert.Equal("Running", AdapterState(lab, "h1"));
            // A second pull is refused, and the NIC's MAC, kept for plug-nic, stays the first one's.
            var again = lab.TryRun("pull-nic", "h2");
            Assert.Equal((1, "lab.sh: pull-nic: h2's eth0 is already pulled"), (again.Code, again.Error.Trim()));
            Assert.Equal(mac, File.ReadAllText(Path.Combine(lab.State, "h2", "eth0-mac")).Trim());

            var secrets = Directory.GetFiles(Path.Combine(lab.State, "secrets")).Select(f => File.ReadAllText(f).Trim()).ToList();
            Assert.Equal(2, secrets.Count);
            var logs = Directory.GetFiles(lab.State, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) is "log" or "stats.jsonl" or "traffic.log").ToList();
            Assert.Equal(5 + 2 + 1, logs.Count);
            foreach (var secret in secrets)
            {
                Assert.All(logs, log => Assert.DoesNotContain(secret, File.ReadAllText(log)));
                Assert.DoesNotContain(secret, lab.Transcript);
            }

            // Another lab's host, its prefix this one's and '-': down leaves it alone.
            var neighbour = $"{lab.Prefix}-x-h1";
            VethPair.Ip($"netns add {neighbour}");
            lab.Run("down");
            Assert.Equal([neighbour], lab.Namespaces());
            VethPair.Ip($"netns del {neighbour}");
            Assert.False(Directory.Exists(lab.State), $"{lab.State} is still there");
            Assert.All(pids, pid => Assert.False(lab.IsOurs(pid), $"process {pid} of the lab still runs"));
            Assert.All(records, r => Assert.Empty(Directory.GetFiles("/run/pd/xdp", $"{r}*")));
            Assert.Empty(LabScript.BpfFsEntries().Except(bpffsBefore));
            output.WriteLine($"the whole walk took {took.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            if (Directory.Exists(lab.State) || lab.Namespaces().Count > 0)
                lab.TryRun("down");
        }
    }

    [Fact]
    public void Pd_lab_runs_the_script_shipped_beside_it()
    {
        var state = Path.Combine(Path.GetTempPath(), $"pd-lab-none-{Environment.ProcessId}");
        var (code, stdout, stderr) = Pd(state, "lab", "up", "--hosts", "9");
        Assert.Equal((2, "lab.sh: --hosts: '9' is not a number of hosts from 1 to 8"), (code, stderr.Trim()));
        // --team, and an option only lab.sh knows, reach the script as given.
        (code, _, stderr) = Pd(state, "lab", "up", "--team", "--hosts", "0");
        Assert.Equal((2, "lab.sh: --hosts: '0' is not a number of hosts from 1 to 8"), (code, stderr.Trim()));
        (code, _, stderr) = Pd(state, "lab", "up", "--vswitch", "--team", "--hosts", "1");
        Assert.Equal((2, "lab.sh: --team and --vswitch: both want h1's eth1 with --hosts 1; take 2 hosts or more"), (code, stderr.Trim()));
        (code, _, stderr) = Pd(state, "lab", "up", "--team", "--spare-nics");
        Assert.Equal((2, "lab.sh: up: unknown option --spare-nics"), (code, stderr.Trim()));
        (code, stdout, _) = Pd(state, "lab", "status");
        Assert.Equal((0, "no lab is up"), (code, stdout.Trim()));
    }

    /// <summary>Runs the test build's <c>pd</c> with <c>LAB_STATE</c> set, and returns its exit code and both streams.</summary>
    private static (int Code, string Output, string Error) Pd(string state, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pd.dll"));
        foreach (var a in args)
            info.ArgumentList.Add(a);
        info.Environment["LAB_STATE"] = state;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"pd {string.Join(' ', args)} did not finish within 30 s");
        return (process.ExitCode, stdout, stderr.Result);
    }

    private static long FilterHits(LabScript lab, string host, string filter)
    {
        var metrics = lab.Run("exec", host, "curl", "-s", "http://127.0.0.1:9470/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("pd_filter_hits_total{", StringComparison.Ordinal) && l.Contains($"filter=\"{filter}\"", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..]);
    }

    private static string? AdapterState(LabScript lab, string host) =>
        lab.NodeList().EnumerateArray().Single(n => n.GetProperty("node").GetString() == host).GetProperty("adapters").GetProperty("pd0").GetString();

    [GeneratedRegex(@"written at revision (\d+)")]
    private static partial Regex WrittenAt();
}
