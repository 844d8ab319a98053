using System.Diagnostics;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// Who owns an interface's XDP slot: a second live provider and a program attached by someone else are refused as
/// busy, with the owner named; the owner record goes when the provider closes. (A leftover of a node killed with
/// SIGKILL is taken back: <c>NodeProcessTests</c> kills a real node.)
/// </summary>
public sealed class XdpOwnershipTests
{
    private static PdAdapter Bind(VethPair veth) =>
        PdProviderRegistry.Default.Get("afxdp").Bind(new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace)));

    /// <summary>Where the provider keeps its XDP owner records.</summary>
    internal const string Records = "/run/pd/xdp";

    [VethFact]
    public void A_second_live_provider_on_the_interface_is_refused_naming_the_owner_and_the_record_goes_at_close()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        using var adapter = Bind(veth);
        var record = "";
        string program;
        using (var first = adapter.OpenProvider())
        {
            program = System.Text.RegularExpressions.Regex.Match(Ip(veth, "-d link show dev " + veth.DeviceInterface), @"prog/xdp id (\d+)").Groups[1].Value;
            var ifindex = veth.Device.Run(() => PacketSender.IfIndex(veth.DeviceInterface));
            var netns = veth.Device.Run(() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!)[5..^1];
            record = Path.Combine(Records, $"{netns}-{ifindex}");
            Assert.True(File.Exists(record), $"{record} records the owner");
            var e = Assert.Throws<PdException>(() => adapter.OpenProvider());
            Assert.Equal(PdStatus.Busy, e.Status);
            Assert.Equal($"The XDP program on {veth.DeviceInterface} belongs to a live PD provider (pid {Environment.ProcessId}; record {record}): close it first.", e.Message);
        }
        Assert.False(File.Exists(record), "the owner record goes with the provider");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Process.Start(new ProcessStartInfo("bpftool", $"prog show id {program}") { RedirectStandardOutput = true, RedirectStandardError = true })! is var p && p.WaitForExit(5000) && p.ExitCode == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"XDP program {program} is still loaded 10 s after the provider closed");
            Thread.Sleep(50);
        }
        Assert.DoesNotContain(" xdp", Ip(veth, "link show dev " + veth.DeviceInterface));
        using (adapter.OpenProvider())
            Assert.Contains(" xdp", Ip(veth, "link show dev " + veth.DeviceInterface));
    }

    [VethFact]
    public void An_afpacket_provider_is_refused_on_an_interface_a_live_afxdp_provider_holds_and_opens_once_it_closed()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        using var xdp = Bind(veth);
        using var packet = PdProviderRegistry.Default.Get("afpacket").Bind(new PdAdapterOptions("pd1", PdRequirements.Default,
            AfPacket: new AfPacketAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace)));
        using (xdp.OpenProvider())
        {
            var e = Assert.Throws<PdException>(() => packet.OpenProvider());
            Assert.Equal(PdStatus.Busy, e.Status);
            Assert.Equal($"{veth.DeviceInterface} is held by a live afxdp provider (pid {Environment.ProcessId}), whose XDP program takes its frames before a packet socket sees them: stop that node first.", e.Message);
        }
        using (packet.OpenProvider())
            Assert.DoesNotContain(" xdp", Ip(veth, "link show dev " + veth.DeviceInterface));
    }

    [VethFact]
    public void A_program_attached_by_someone_else_is_refused_as_busy_and_left_alone()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        using var adapter = Bind(veth);
        var program = Path.Combine(AppContext.BaseDirectory, "pd_xdp.o");
        Ip(veth, $"link set dev {veth.DeviceInterface} xdpgeneric obj {program} sec xdp");
        var before = Ip(veth, "link show dev " + veth.DeviceInterface);
        Assert.Contains("xdpgeneric", before);

        var e = Assert.Throws<PdException>(() => adapter.OpenProvider());
        Assert.Equal(PdStatus.Busy, e.Status);
        Assert.Matches($"^Attaching the XDP program to {veth.DeviceInterface} failed: another XDP program \\(id \\d+\\) holds the interface and no dead PD node left it ", e.Message);
        Assert.Equal(before, Ip(veth, "link show dev " + veth.DeviceInterface));

        Ip(veth, $"link set dev {veth.DeviceInterface} xdpgeneric off");
        using (adapter.OpenProvider())
            Assert.Contains(" xdp", Ip(veth, "link show dev " + veth.DeviceInterface));
    }

    [VethFact]
    public void Records_of_dead_owners_whose_interface_or_namespace_is_gone_are_removed_at_the_next_claim()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        using var adapter = Bind(veth);
        var netns = veth.Device.Run(() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!)[5..^1];
        Directory.CreateDirectory(Records);
        // Namespace inodes are large; a small number names a namespace that cannot exist.
        var interfaceGone = Path.Combine(Records, $"{netns}-999999");
        var namespaceGone = Path.Combine(Records, $"1{Environment.ProcessId}-7");
        var interfaceThere = Path.Combine(Records, $"{netns}-1");
        var ownerAlive = Path.Combine(Records, $"2{Environment.ProcessId}-7");
        string[] records = [interfaceGone, namespaceGone, interfaceThere, ownerAlive];
        try
        {
            foreach (var record in records)
                File.WriteAllText(record, "1 0\n");
            // .NET locks a file opened with FileShare.None with flock, as a live owner holds its record.
            using (new FileStream(ownerAlive, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            using (adapter.OpenProvider())
            {
                Assert.False(File.Exists(interfaceGone), "a dead owner's record of an interface that is gone");
                Assert.False(File.Exists(namespaceGone), "a dead owner's record of a namespace that is gone");
                Assert.True(File.Exists(interfaceThere), "a dead owner's record of an interface still there: its program may still be attached");
                Assert.True(File.Exists(ownerAlive), "a live owner's record");
            }
        }
        finally
        {
            foreach (var record in records)
                File.Delete(record);
        }
    }

    private static string Ip(VethPair veth, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", $"-n {veth.DeviceNamespace} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"ip {arguments} failed: {error}");
    }
}
