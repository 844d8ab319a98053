using System.Diagnostics;
using PdCluster.Nic.Adapters;
using PdCluster.Provider.Linux;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider.Linux;

/// <summary>Discovery of real Linux interfaces: a veth in a namespace the test creates, and every interface of the host checked against <c>ethtool -i</c>.</summary>
public sealed class LinuxAdapterDiscoveryTests
{
    [VethFact]
    public void A_veth_in_its_namespace_is_an_ethernet_port_of_driver_veth_with_its_own_mac()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        var info = LinuxAdapterDiscovery.Discover(veth.DeviceInterface, veth.DeviceNamespace);
        Assert.Equal(veth.DeviceInterface, info.Name);
        Assert.Equal(VethPair.DeviceMac, info.Mac);
        Assert.Equal(LinkType.Ethernet, info.LinkType);
        Assert.Equal(("veth", "veth", ""), (info.Model, info.Driver, info.BusAddress));
        Assert.Equal(default, info.Pci);
        Assert.Equal(10_000, info.LinkSpeedMbps);
        Assert.Equal((1, 1), (info.MaxReceiveQueues, info.MaxTransmitQueues));
        Assert.Equal($"there is no interface {veth.DeviceInterface}", Assert.Throws<LinuxDiscoveryException>(() => LinuxAdapterDiscovery.Discover(veth.DeviceInterface)).Message);
        Assert.Equal($"there is no interface {veth.PeerInterface} in network namespace {veth.DeviceNamespace}",
            Assert.Throws<LinuxDiscoveryException>(() => LinuxAdapterDiscovery.Discover(veth.PeerInterface, veth.DeviceNamespace)).Message);
        Assert.Equal(VethPair.PeerMac, LinuxAdapterDiscovery.Discover(veth.PeerInterface, veth.PeerNamespace).Mac);
    }

    [VethFact]
    public void A_caller_inside_the_namespace_without_its_sysfs_finds_the_interface_of_its_own_namespace()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        // What nsenter --net gives a process: the namespace entered, /sys still the host's.
        var info = veth.Device.Run(() => LinuxAdapterDiscovery.Discover(veth.DeviceInterface));
        Assert.Equal((veth.DeviceInterface, VethPair.DeviceMac, "veth"), (info.Name, info.Mac, info.Driver));
        Assert.Equal($"there is no interface {veth.PeerInterface}",
            Assert.Throws<LinuxDiscoveryException>(() => veth.Device.Run(() => LinuxAdapterDiscovery.Discover(veth.PeerInterface))).Message);
    }

    [Fact]
    public void Bad_names_and_missing_namespaces_are_refused_with_the_reason()
    {
        Assert.Equal("'../lo' is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces)",
            Assert.Throws<LinuxDiscoveryException>(() => LinuxAdapterDiscovery.Discover("../lo")).Message);
        Assert.Throws<LinuxDiscoveryException>(() => LinuxAdapterDiscovery.Discover("a-name-too-long-1"));
        Assert.Equal("'a/b' is not a network namespace name (a file name under /run/netns)",
            Assert.Throws<LinuxDiscoveryException>(() => LinuxAdapterDiscovery.Discover("lo", "a/b")).Message);
        Assert.Equal($"cannot open network namespace /run/netns/pd-none-{Environment.ProcessId}: No such file or directory",
            Assert.Throws<LinuxDiscoveryException>(() => LinuxAdapterDiscovery.Discover("lo", $"pd-none-{Environment.ProcessId}")).Message);
    }

    [Fact]
    public void Loopback_has_no_driver_info_and_is_no_ethernet_port()
    {
        var info = LinuxAdapterDiscovery.Discover("lo");
        Assert.Equal((LinkType.Loopback, "", "Linux interface"), (info.LinkType, info.Driver, info.Model));
    }

    /// <summary>Every interface of the host's namespace, compared with what ethtool (a separate reader of the same ioctl) and ip print.</summary>
    [VethFact]
    public void Every_host_interface_matches_ethtool_and_ip()
    {
        HostPrerequisite.Require();
        if (!File.Exists("/usr/sbin/ethtool") && !File.Exists("/sbin/ethtool"))
            throw new InvalidOperationException("Prerequisite missing: ethtool (test.sh installs it).");
        foreach (var name in Directory.EnumerateFileSystemEntries("/sys/class/net").Select(Path.GetFileName))
        {
            var info = LinuxAdapterDiscovery.Discover(name!);
            var ethtool = Run("ethtool", $"-i {name}");
            if (ethtool.Code == 0)
            {
                var fields = ethtool.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2)).Where(p => p.Length == 2 || p[0].EndsWith(':'))
                    .ToDictionary(p => p[0].TrimEnd(':'), p => p.Length == 2 ? p[1].Trim() : "");
                Assert.Equal((fields["driver"], fields["version"], fields["firmware-version"], fields["bus-info"]),
                    (info.Driver, info.DriverVersion, info.FirmwareVersion, info.BusAddress));
            }
            var link = Run("ip", $"-o link show dev {name}").Output;
            if (info.LinkType == LinkType.Ethernet)
                Assert.Contains($"link/ether {info.MacText} ", link);
            if (info.Pci != default)
                Assert.Equal(info.Pci.ToString(), $"{Read($"/sys/bus/pci/devices/{info.BusAddress}/vendor")[2..]}:{Read($"/sys/bus/pci/devices/{info.BusAddress}/device")[2..]}");
        }
    }

    private static string Read(string path) => File.ReadAllText(path).Trim();

    private static (int Code, string Output) Run(string file, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
