using System.Diagnostics;
using System.Text.RegularExpressions;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Tests.Provider.Veth;

/// <summary>
/// Two fresh network namespaces joined by a veth pair with unique names and 198.18.0.0/15 addresses, IPv6 off; the
/// device-under-test end is <see cref="DeviceMac"/> at 198.18.1.1, the peer end <see cref="PeerMac"/> at 198.18.0.1.
/// Dispose removes both namespaces (and so the veth) even after a failed setup; the first pair a process makes also
/// removes those a killed test process left behind.
/// </summary>
public sealed partial class VethPair : IDisposable
{
    public const ulong DeviceMac = 0x02_00_00_00_00_02;
    public const ulong PeerMac = 0x02_00_00_00_00_01;
    private static int _counter;
    private readonly List<NetworkNamespace> _entered = [];

    /// <summary>
    /// Removes the pairs of test processes that were killed before their Dispose: a namespace whose process (the first
    /// number of its tag) is gone and that is older than any test run (half an hour, since the tag keeps only the
    /// pid's last five digits).
    /// </summary>
    static VethPair()
    {
        if (!Directory.Exists("/run/netns"))
            return;
        foreach (var path in Directory.EnumerateFiles("/run/netns", "pdt-*"))
        {
            var name = Path.GetFileName(path);
            if (LeftBehind().Match(name) is { Success: true } m && !Directory.Exists($"/proc/{m.Groups[1].Value}")
                && File.GetLastWriteTimeUtc(path) < DateTime.UtcNow.AddMinutes(-30))
                Run("ip", $"netns del {name}");
        }
    }

    [GeneratedRegex(@"^pdt-(?:dut|peer)-(\d+)x\d+$")]
    private static partial Regex LeftBehind();

    public VethPair()
    {
        var tag = $"{Environment.ProcessId % 100000}x{Interlocked.Increment(ref _counter)}";
        DeviceNamespace = $"pdt-dut-{tag}";
        PeerNamespace = $"pdt-peer-{tag}";
        DeviceInterface = $"pdd{tag}";
        PeerInterface = $"pdp{tag}";
        try
        {
            Ip($"netns add {DeviceNamespace}");
            Ip($"netns add {PeerNamespace}");
            AddLink();
            Device = Enter(DeviceNamespace);
            Peer = Enter(PeerNamespace);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string DeviceNamespace { get; }

    public string PeerNamespace { get; }

    public string DeviceInterface { get; }

    public string PeerInterface { get; }

    /// <summary>A thread inside the device's namespace.</summary>
    public NetworkNamespace Device { get; } = null!;

    /// <summary>A thread inside the peer's namespace.</summary>
    public NetworkNamespace Peer { get; } = null!;

    /// <summary>Creates the veth pair between the namespaces (again, after <see cref="DeleteDevice"/>): same names, MACs and addresses, both ends up.</summary>
    public void AddLink()
    {
        Ip($"link add {DeviceInterface} netns {DeviceNamespace} address {Mac(DeviceMac)} type veth peer name {PeerInterface} netns {PeerNamespace} address {Mac(PeerMac)}");
        foreach (var (ns, dev, address) in new[] { (DeviceNamespace, DeviceInterface, "198.18.1.1/15"), (PeerNamespace, PeerInterface, "198.18.0.1/15") })
        {
            Sysctl(ns, $"net/ipv6/conf/{dev}/disable_ipv6");
            Ip($"-n {ns} addr add {address} dev {dev}");
            Ip($"-n {ns} link set {dev} up");
            Ip($"-n {ns} link set lo up");
        }
        Ip($"-n {PeerNamespace} neigh replace 198.18.1.1 lladdr {Mac(DeviceMac)} dev {PeerInterface}");
        Ip($"-n {DeviceNamespace} neigh replace 198.18.0.1 lladdr {Mac(PeerMac)} dev {DeviceInterface}");
        AwaitOperationallyUp();
    }

    /// <summary>Removes the static neighbour entries the pair starts with, so each end must resolve the other by ARP.</summary>
    public void ForgetNeighbours()
    {
        Ip($"-n {PeerNamespace} neigh del 198.18.1.1 dev {PeerInterface}");
        Ip($"-n {DeviceNamespace} neigh del 198.18.0.1 dev {DeviceInterface}");
    }

    /// <summary>Runs <paramref name="command"/> (a program and its arguments) inside the peer's namespace (<c>ip netns exec</c>).</summary>
    public (int Code, string Output, string Error) RunInPeer(string command) => Run("ip", $"netns exec {PeerNamespace} {command}");

    /// <summary>Asserts that the device's kernel answers the peer: all 3 of <c>ping</c>'s echo requests and <c>arping</c>'s ARP requests to 198.18.1.1.</summary>
    public void AssertDeviceAnswersPingAndArp()
    {
        var ping = RunInPeer("ping -c 3 -W 1 198.18.1.1");
        Assert.True(ping.Code == 0, $"ping of the device: {ping.Output}{ping.Error}");
        Assert.Contains("3 received", ping.Output);
        var arping = RunInPeer($"arping -c 2 -w 5 -i {PeerInterface} 198.18.1.1");
        Assert.True(arping.Code == 0, $"arping of the device: {arping.Output}{arping.Error}");
    }

    /// <summary>Waits (10 s at most) for the device end's operational state to be up: the kernel's link watch may report carrier late.</summary>
    private void AwaitOperationallyUp()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var (_, output, _) = Run("ip", $"-n {DeviceNamespace} -o link show dev {DeviceInterface}");
            if (output.Contains(" state UP ", StringComparison.Ordinal))
                return;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{DeviceInterface} is not operationally up after 10 s: {output.Trim()}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Runs <c>ip ARGS</c>, failing with its error output when it exits non-zero.</summary>
    public static void Ip(string arguments)
    {
        var (code, _, error) = Run("ip", arguments);
        if (code != 0)
            throw new InvalidOperationException($"ip {arguments} failed ({code}): {error.Trim()}");
    }

    /// <summary>Sets the device end administratively up or down (<c>ip link set up/down</c>).</summary>
    public void SetDevice(bool up) => Ip($"-n {DeviceNamespace} link set {DeviceInterface} {(up ? "up" : "down")}");

    /// <summary>Sets the peer end up or down: the device end's carrier follows.</summary>
    public void SetPeer(bool up) => Ip($"-n {PeerNamespace} link set {PeerInterface} {(up ? "up" : "down")}");

    /// <summary>Deletes the device end of the pair (a surprise removal).</summary>
    public void DeleteDevice() => Ip($"-n {DeviceNamespace} link del {DeviceInterface}");

    /// <summary>The kernel's per-namespace counter <paramref name="field"/> of line <paramref name="protocol"/> in /proc/net/snmp, read inside <paramref name="ns"/>.</summary>
    public static long Snmp(NetworkNamespace ns, string protocol, string field) => ns.Run(() =>
    {
        var lines = File.ReadAllLines("/proc/thread-self/net/snmp").Where(l => l.StartsWith(protocol + ":", StringComparison.Ordinal)).ToArray();
        var names = lines[0].Split(' ');
        return long.Parse(lines[1].Split(' ')[Array.IndexOf(names, field)]);
    });

    /// <summary>The kernel's per-namespace IPv6 counter <paramref name="field"/> (e.g. <c>Icmp6InNeighborAdvertisements</c>) in /proc/net/snmp6, read inside <paramref name="ns"/>.</summary>
    public static long Snmp6(NetworkNamespace ns, string field) => ns.Run(() =>
        long.Parse(File.ReadAllLines("/proc/thread-self/net/snmp6").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(f => f[0] == field)[1]));

    /// <summary>The receive packet count of <paramref name="device"/> in /proc/net/dev, read inside <paramref name="ns"/> (0 when it is absent).</summary>
    public static long ReceivedPackets(NetworkNamespace ns, string device) => ns.Run(() =>
    {
        var line = File.ReadAllLines("/proc/thread-self/net/dev").Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(device + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(device.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    });

    public void Dispose()
    {
        foreach (var ns in _entered)
            ns.Dispose();
        Run("ip", $"netns del {DeviceNamespace}");
        Run("ip", $"netns del {PeerNamespace}");
    }

    private NetworkNamespace Enter(string name)
    {
        var ns = new NetworkNamespace($"/run/netns/{name}");
        _entered.Add(ns);
        return ns;
    }

    private static void Sysctl(string ns, string key)
    {
        var (code, _, error) = Run("ip", $"netns exec {ns} sh -c \"echo 1 > /proc/sys/{key}\"");
        if (code != 0)
            throw new InvalidOperationException($"Setting {key} in {ns} failed ({code}): {error.Trim()}");
    }

    /// <summary>A MAC as ip(8) writes it: <c>02:00:00:00:00:01</c>.</summary>
    public static string Mac(ulong mac) => string.Join(':', Enumerable.Range(0, 6).Select(i => ((byte)(mac >> (40 - 8 * i))).ToString("x2")));

    /// <summary>Runs <c>FILE ARGS</c> to its end and returns its exit code, output and error output.</summary>
    public static (int Code, string Output, string Error) Run(string file, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error);
    }
}
