using System.Globalization;
using System.Net;
using System.Text.Json;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// The <c>failover</c> scenario on the lab (3 hosts; h1 and h2 declare the virtual IP <c>vip1</c>, h3 has two NICs in
/// a team): the generator's traffic to an address, and the gap in delivered packets when the host serving it loses it.
/// Three cases, each repeated: <c>team</c> (h3's eth0 pulled, its team's survivor announces h3's address),
/// <c>nic-loss</c> (the owner of vip1 loses its only NIC, the coordinator gives vip1 to the other host, which
/// announces it) and <c>node-death</c> (the owner's <c>pd node run</c> killed with SIGKILL: vip1 moves when its
/// membership lease expires). After each, the lab is put back (the NIC plugged in, the node started).
/// </summary>
internal sealed class Failover(LabHosts lab, DeliveryProbe probe, int repeats, CancellationToken cancel)
{
    /// <summary>The lab's hosts, in the order of the probe's receivers.</summary>
    public static readonly string[] Hosts = ["h1", "h2", "h3"];

    /// <summary>The lab's virtual IP, declared by h1 and h2.</summary>
    public static readonly IPAddress Vip = IPAddress.Parse("198.18.10.250");

    /// <summary>The address h3's team announces (the lab's 198.18.10.(240+N) on its last host).</summary>
    public static readonly IPAddress TeamAddress = IPAddress.Parse("198.18.10.243");

    /// <summary>The membership lease TTL of the lab's nodes (<c>leaseTtl</c>'s default), in seconds.</summary>
    public const int LeaseTtlSeconds = 2;

    private const string TeamHost = "h3";
    private static readonly string[] VipHosts = ["h1", "h2"];

    /// <summary>
    /// Builds the lab, starts the traffic and runs the three cases <paramref name="repeats"/> times each; the lab goes
    /// down afterwards, also when <paramref name="cancel"/> fires or a case fails.
    /// </summary>
    public static async Task<List<FailoverRow>> RunAsync(string pd, int repeats, CancellationToken cancel)
    {
        Log("building the lab (cluster-config/lab/lab.sh up --hosts 3 --team)");
        await using var lab = await LabHosts.UpAsync(pd, Hosts.Length, cancel);
        // No host answers ARP for the service addresses (arp_ignore=1; only announcements say where they are), so the
        // generator keeps using the entry an announcement gave it instead of probing it and failing after 5 s.
        await lab.RunAsync(cancel, "exec", "gen", "sysctl", "-qw", "net.ipv4.neigh.eth0.delay_first_probe_time=3600");
        using var probe = DeliveryProbe.Start(lab.Namespace("gen"), [.. Hosts.Select(lab.Namespace)], Vip);
        var failover = new Failover(lab, probe, repeats, cancel);
        return
        [
            Row("team", "a NIC of h3's two-adapter team pulled (ip link del); the survivor announces h3's address", 100, await failover.TeamAsync()),
            Row("nic-loss", "the owner of vip1 loses its only NIC (ip link del); the coordinator gives vip1 to the other host", 1000, await failover.NicLossAsync()),
            Row("node-death", "the owner's pd node run killed (SIGKILL); vip1 moves when its membership lease expires", (LeaseTtlSeconds + 1) * 1000, await failover.NodeDeathAsync()),
        ];
    }

    private static FailoverRow Row(string name, string fault, double targetMs, List<Sample> samples)
    {
        var gaps = samples.Where(s => s.GapMs is not null).Select(s => s.GapMs!.Value).Order().ToList();
        double? p50 = gaps.Count == 0 ? null : gaps[(gaps.Count + 1) / 2 - 1];
        double? max = gaps.Count == 0 ? null : gaps[^1];
        return new FailoverRow("failover", name, fault, samples.Count, gaps.Count, p50, max, [.. samples.Select(s => s.GapMs)], targetMs,
            gaps.Count == samples.Count && max < targetMs, samples.Max(s => s.BeforeGapMs), samples.Max(s => s.SenderPauseMs));
    }

    /// <summary>The team case: h3's eth0 (pd0) pulled; its team's pd1 carries on.</summary>
    public async Task<List<Sample>> TeamAsync()
    {
        var samples = new List<Sample>();
        for (var i = 0; i < repeats; i++)
        {
            await UntilAsync("h3's team has both members up", async () =>
                await lab.AdminAsync(TeamHost, "/status", cancel) is { } status
                && status.GetProperty("teams")[0].GetProperty("members").EnumerateArray().All(m => m.GetProperty("up").GetBoolean()));
            await AimAsync(TeamAddress, TeamHost);
            samples.Add(await MeasureAsync("team", i, TeamHost, killed: false, TimeSpan.FromSeconds(10), () => lab.RunAsync(cancel, "pull-nic", TeamHost)));
            await lab.RunAsync(cancel, "plug-nic", TeamHost);
        }
        return samples;
    }

    /// <summary>The NIC-loss case: the owner of vip1 loses its only NIC.</summary>
    public Task<List<Sample>> NicLossAsync() => AcrossHostsAsync("nic-loss", killed: false, TimeSpan.FromSeconds(10), "pull-nic", "plug-nic");

    /// <summary>The node-death case: the owner's node killed with SIGKILL.</summary>
    public Task<List<Sample>> NodeDeathAsync() => AcrossHostsAsync("node-death", killed: true, TimeSpan.FromSeconds(LeaseTtlSeconds + 10), "kill-node", "start-node");

    private async Task<List<Sample>> AcrossHostsAsync(string name, bool killed, TimeSpan patience, string fault, string repair)
    {
        var samples = new List<Sample>();
        for (var i = 0; i < repeats; i++)
        {
            var owner = await SettledOwnerAsync();
            await AimAsync(Vip, owner);
            samples.Add(await MeasureAsync(name, i, owner, killed, patience, () => lab.RunAsync(cancel, fault, owner)));
            await lab.RunAsync(cancel, repair, owner);
        }
        return samples;
    }

    /// <summary>
    /// Injects the fault and waits until traffic is delivered steadily again (or <paramref name="patience"/> passes),
    /// then takes the longest gap from the last delivery before the fault on. Deliveries on a killed node's host after
    /// the kill are left out: its XDP program stays attached and, with no socket left to redirect to, passes the
    /// packets to the host's kernel without any node serving them.
    /// </summary>
    private async Task<Sample> MeasureAsync(string name, int repeat, string victim, bool killed, TimeSpan patience, Func<Task> fault)
    {
        var victimIndex = Array.IndexOf(Hosts, victim);
        var eventAt = probe.Now;
        await fault();
        var injected = probe.Now;
        List<double> Delivered() => [.. probe.Deliveries(eventAt - 1000).Where(d => !(killed && d.Host == victimIndex && d.At > eventAt)).Select(d => d.At)];
        var delivered = Delivered();
        var steady = false;
        while (!steady && probe.Now <= injected + patience.TotalMilliseconds)
        {
            await Task.Delay(20, cancel);
            var now = probe.Now;
            delivered = Delivered();
            steady = now > injected + 500 && delivered.Count(t => t > now - 500) >= 200;
        }
        // Served again: the gap is the longest interval from the last delivery before the fault until then.
        var gap = steady ? DeliveryGap.Around(delivered, eventAt) : null;
        var sample = new Sample(gap is { } g ? Math.Round(g.Milliseconds, 1) : null,
            Math.Round(DeliveryGap.LongestBetween(delivered, eventAt - 1000, eventAt), 1), Math.Round(probe.LongestSendPause(eventAt - 1000, probe.Now), 1));
        Log($"{name} #{repeat + 1} ({victim}): " + (sample.GapMs is { } ms ? $"gap {ms:0.0} ms" : $"not served again within {patience.TotalSeconds:0} s") +
            $"; before it the longest gap was {sample.BeforeGapMs:0.0} ms, the generator's longest pause {sample.SenderPauseMs:0.0} ms");
        if (sample.GapMs is null)
        {
            var perHost = probe.Deliveries(injected).GroupBy(d => d.Host).Select(g => $"{Hosts[g.Key]} {g.Count()}");
            var neighbour = await lab.RunAsync(cancel, "exec", "gen", "ip", "neigh", "show", probe.Target.Address.ToString());
            Log($"  delivered after the fault: {string.Join(", ", perHost.DefaultIfEmpty("none"))}; the generator's neighbour entry: {neighbour.Trim()}");
        }
        return sample;
    }

    /// <summary>Points the generator at <paramref name="address"/>, its neighbour entry at <paramref name="host"/>'s eth0, and waits until that host gets the traffic.</summary>
    private async Task AimAsync(IPAddress address, string host)
    {
        var mac = await lab.MacAsync(host, "eth0", cancel) ?? throw new InvalidOperationException($"{host} has no eth0");
        await lab.RunAsync(cancel, "exec", "gen", "ip", "neigh", "replace", address.ToString(), "lladdr", mac, "dev", "eth0", "nud", "stale");
        probe.Aim(address);
        var index = Array.IndexOf(Hosts, host);
        await UntilAsync($"{host} is delivered the traffic to {address}", () =>
        {
            var since = probe.Now - 500;
            return Task.FromResult(probe.Deliveries(since).Count(d => d.Host == index) >= 200);
        });
    }

    /// <summary>Waits until h1 and h2 are live with pd0 running and one of them owns vip1 (as h3's node sees the cluster), and returns the owner.</summary>
    private async Task<string> SettledOwnerAsync()
    {
        string? owner = null;
        await UntilAsync("h1 and h2 are live with pd0 running and one of them owns vip1", async () =>
        {
            if (await lab.AdminAsync(TeamHost, "/cluster", cancel) is not { } cluster)
                return false;
            var live = cluster.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("node").GetString()).ToHashSet();
            var running = cluster.GetProperty("statuses").EnumerateArray()
                .Where(s => s.TryGetProperty("adapters", out var adapters) && adapters.TryGetProperty("pd0", out var state) && state.GetString() == "Running")
                .Select(s => s.GetProperty("node").GetString()).ToHashSet();
            owner = cluster.TryGetProperty("owners", out var owners) && owners.ValueKind == JsonValueKind.Array
                ? owners.EnumerateArray().Where(o => o.GetProperty("item").GetString() == "vip1").Select(o => o.GetProperty("node").GetString()).FirstOrDefault()
                : null;
            return VipHosts.All(h => live.Contains(h) && running.Contains(h)) && owner is not null && VipHosts.Contains(owner);
        });
        return owner!;
    }

    private async Task UntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"failover: gave up waiting until {what} (90 s)");
            await Task.Delay(100, cancel);
        }
    }

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] failover: {line}");

    /// <summary>One repetition: the gap (null when traffic was not served again in time), the longest gap in the second before the fault, and the generator's longest pause around it.</summary>
    public sealed record Sample(double? GapMs, double BeforeGapMs, double SenderPauseMs);
}
