using System.Diagnostics;
using System.Text.Json;
using PdCluster.Tests.Cluster.Etcd;
using PdCluster.Tests.Provider.Veth;
using Xunit.Abstractions;

namespace PdCluster.Tests.Node.Lab;

/// <summary>
/// The README's VM switch walkthrough in the lab (<c>lab.sh up --hosts 1 --vswitch</c>), step for step, with the
/// generator's ping and UDP as the judge: a started VM's port is blocked, disabling the port lets the traffic through, a
/// reboot blocks it again, and rules let through what they allow (ARP, ICMP, UDP to port 53) and nothing else, counted in
/// the VM's own namespace. A VM left running by a killed node goes with <c>down</c>, which leaves nothing behind.
/// </summary>
[Collection(LabScript.Collection)]
public sealed class LabVSwitchTests(ITestOutputHelper output)
{
    private const string Vm = "vm1";
    private const string VmMac = "00:15:5d:0a:00:32";
    private const string VmAddress = "198.18.10.150";

    [LabFact]
    public void The_vm_switch_walkthrough_runs_in_the_lab_and_down_removes_the_vms_namespaces()
    {
        HostPrerequisite.Require();
        EtcdPrerequisite.Require();
        var lab = new LabScript(output);
        var vmNamespace = $"{lab.Prefix}-vm-{Vm}";
        var bpffsBefore = LabScript.BpfFsEntries();
        var took = Stopwatch.StartNew();
        try
        {
            lab.Run("up", "--hosts", "1", "--vswitch");
            Assert.Equal("Running", lab.NodeList().EnumerateArray().Single().GetProperty("adapters").GetProperty("pd1").GetString());
            var h1Records = lab.XdpRecordPrefix("h1");

            Pd(lab, "vswitch", "create", "sw", "--adapter", "pd1");
            Pd(lab, "vswitch", "extension", "enable", "sw", "vfp");
            Pd(lab, "vm", "adapter", "add", Vm, "--switch", "sw", "--static-mac", VmMac, "--address", $"{VmAddress}/24");
            Pd(lab, "vm", "start", Vm);
            Assert.Contains(vmNamespace, lab.Namespaces());
            var hostEnd = lab.Run("exec", "h1", "ip", "-o", "link", "show", "type", "veth").Split('\n')
                .Select(l => l.Split(':', 3)).Where(f => f.Length == 3).Select(f => f[1].Trim().Split('@')[0]).Single(n => n.StartsWith("pdv", StringComparison.Ordinal));
            Assert.Matches("^pdv[0-9a-f]{10}$", hostEnd);

            // Started: VFP on, no rules, so blocked both ways: no ping, and UDP sent to its MAC never reaches it.
            Assert.False(Ping(lab), "the VM answered a ping with VFP on and no rules on its port");
            var port = VmPort(lab);
            Assert.Equal((true, true, false, 0), (port.GetProperty("initialized").GetBoolean(), port.GetProperty("blocked").GetBoolean(),
                port.GetProperty("disabled").GetBoolean(), port.GetProperty("ruleCount").GetInt32()));
            var portName = port.GetProperty("portName").GetString()!;
            var blockedBefore = InboundBlocked(lab);
            UdpToVm(lab, 53, 100);
            LabScript.Eventually(() => InboundBlocked(lab) >= blockedBefore + 100, "the switch counting the 100 UDP datagrams blocked at the VM's port");
            Assert.Equal(0, UdpNoPorts(lab));

            Pd(lab, "vfp", "disable-port", "--port", portName);
            LabScript.Eventually(() => Ping(lab), "the VM answering pings once its port is disabled");
            Assert.True(VmPort(lab).GetProperty("disabled").GetBoolean());

            // A reboot brings the port back enabled: blocked again.
            Pd(lab, "vm", "stop", Vm);
            Pd(lab, "vm", "start", Vm);
            port = VmPort(lab);
            Assert.Equal((true, false), (port.GetProperty("blocked").GetBoolean(), port.GetProperty("disabled").GetBoolean()));
            Assert.False(Ping(lab), "the VM answered a ping after its reboot, its port enabled again with no rules");

            // Rules: ARP (the VM is asked for its MAC and asks for the generator's), ICMP and UDP to port 53 in; all out.
            Pd(lab, "vfp", "rule", "add", "--port", portName, "--id", "in-arp", "--layer", "20-acl", "--group", "in", "--direction", "inbound",
                "--match", "etherType=arp", "--action", "allow");
            Pd(lab, "vfp", "rule", "add", "--port", portName, "--id", "in-icmp", "--layer", "20-acl", "--group", "in", "--direction", "inbound",
                "--match", "protocol=icmp", "--action", "allow");
            Pd(lab, "vfp", "rule", "add", "--port", portName, "--id", "in-53", "--layer", "20-acl", "--group", "in", "--direction", "inbound",
                "--match", "protocol=udp", "--match", "destinationPort=53", "--action", "allow");
            Pd(lab, "vfp", "rule", "add", "--port", portName, "--id", "out", "--layer", "20-acl", "--group", "out", "--direction", "outbound", "--action", "allow");
            Assert.Equal((false, 4), (VmPort(lab).GetProperty("blocked").GetBoolean(), VmPort(lab).GetProperty("ruleCount").GetInt32()));
            LabScript.Eventually(() => Ping(lab), "the VM answering pings under its rules");
            UdpToVm(lab, 53, 100);
            LabScript.Eventually(() => UdpNoPorts(lab) == 100, "the 100 UDP datagrams to port 53 reaching the VM's stack");
            blockedBefore = InboundBlocked(lab);
            UdpToVm(lab, 9, 100);
            LabScript.Eventually(() => InboundBlocked(lab) >= blockedBefore + 100, "the 100 UDP datagrams to port 9 blocked at the VM's port");
            Assert.Equal(100, UdpNoPorts(lab));

            Pd(lab, "vm", "stop", Vm);
            LabScript.Eventually(() => !lab.Namespaces().Contains(vmNamespace), "the stopped VM's namespace gone");
            Pd(lab, "vswitch", "rm", "sw");
            LabScript.Eventually(() => lab.NodeList().EnumerateArray().Single().GetProperty("adapters").GetProperty("pd1").GetString() == "Running", "pd1 back on h1's own queues");

            // A node killed with its VM running leaves the VM's namespace, marked as its own; down removes both.
            Pd(lab, "vswitch", "create", "sw", "--adapter", "pd1");
            Pd(lab, "vm", "start", Vm);
            lab.Run("kill-node", "h1");
            // status lists the killed node as stopped, not as if the lab never had it.
            Assert.Matches(@"(?m)^h1 +stopped \(lab\.sh start-node h1\)$", lab.Run("status"));
            Assert.Contains(vmNamespace, lab.Namespaces());
            Assert.True(File.Exists($"/run/pd/netns/{vmNamespace}"), "the killed node's mark on its VM's namespace");
            // Every process the lab started: its etcd members and each node it ever ran (the killed one has no pid file left).
            var pids = Directory.GetFiles(lab.State, "pid", SearchOption.AllDirectories).Append(Path.Combine(lab.State, "node-pids"))
                .SelectMany(File.ReadAllLines).Select(int.Parse).ToHashSet();
            Assert.Equal(3 + 1, pids.Count);
            lab.Run("down");
            Assert.Empty(lab.Namespaces());
            Assert.False(File.Exists($"/run/pd/netns/{vmNamespace}"), "the VM namespace's mark is still there");
            Assert.False(Directory.Exists(lab.State), $"{lab.State} is still there");
            Assert.All(pids, pid => Assert.False(lab.IsOurs(pid), $"process {pid} of the lab still runs"));
            Assert.Empty(Directory.GetFiles("/run/pd/xdp", $"{h1Records}*"));
            Assert.Empty(LabScript.BpfFsEntries().Except(bpffsBefore));
            output.WriteLine($"the whole walk took {took.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            if (Directory.Exists(lab.State) || lab.Namespaces().Count > 0)
                lab.TryRun("down");
        }
    }

    /// <summary><c>pd ARGS</c> inside h1 against its node; a non-zero exit fails the test.</summary>
    private static string Pd(LabScript lab, params string[] args) => lab.Run(["pd", "h1", .. args]);

    /// <summary>Whether the VM answers the generator's ping, the generator's ARP cache emptied first so the VM must answer ARP too.</summary>
    private static bool Ping(LabScript lab)
    {
        lab.Run("exec", "gen", "ip", "neigh", "flush", "dev", "eth0");
        return lab.TryRun("exec", "gen", "ping", "-c", "2", "-i", "0.2", "-W", "1", VmAddress).Code == 0;
    }

    /// <summary>The VM's row of <c>pd vfp list-ports -o json</c>.</summary>
    private static JsonElement VmPort(LabScript lab)
    {
        using var ports = JsonDocument.Parse(Pd(lab, "vfp", "list-ports", "-o", "json"));
        return ports.RootElement.EnumerateArray().Single(p => p.GetProperty("vmName").GetString() == Vm).Clone();
    }

    /// <summary><paramref name="count"/> UDP datagrams from the generator to the VM's port <paramref name="port"/>, at its MAC (no ARP asked).</summary>
    private static void UdpToVm(LabScript lab, int port, int count) =>
        lab.Run("traffic", "--to", VmAddress, "--mac", VmMac, "--port", $"{port}", "--count", $"{count}");

    /// <summary>UDP datagrams the VM's stack received for a port nothing listens on (<c>Udp: NoPorts</c> in its namespace).</summary>
    private static long UdpNoPorts(LabScript lab)
    {
        var lines = lab.Run("exec", $"vm-{Vm}", "cat", "/proc/net/snmp").Split('\n').Where(l => l.StartsWith("Udp:", StringComparison.Ordinal)).ToList();
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(values[Array.IndexOf(names, "NoPorts")]);
    }

    /// <summary>Frames the VM's port blocked on their way to the VM, from h1's <c>/vswitch/status</c>.</summary>
    private static long InboundBlocked(LabScript lab)
    {
        using var status = JsonDocument.Parse(lab.Run("exec", "h1", "curl", "-s", "http://127.0.0.1:9470/vswitch/status"));
        return status.RootElement.EnumerateArray().Single().GetProperty("ports").EnumerateArray().Single().GetProperty("inboundBlocked").GetInt64();
    }
}
