using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Provider.Linux;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider.Linux;

/// <summary>
/// The shipped PD requirements on discovered Linux adapters: a ConnectX-3 Pro under mlx4_en is judged by firmware (a
/// description discovered from a sysfs tree and an ethtool struct, since no mlx4 NIC exists here), veth is accepted
/// as a development adapter, and the afxdp factory refuses to open on an adapter that fails.
/// </summary>
public sealed class LinuxRequirementsTests
{
    private static Nic.Adapters.AdapterInfo DiscoveredConnectX3Pro(string firmware)
    {
        using var tree = new DiscoveryParsingTests.SysfsTree();
        return LinuxAdapterDiscovery.Describe("eth1", tree.Read(), EthtoolDriverInfo.Decode(DiscoveryParsingTests.DriverInfo("mlx4_en", "4.0-0", firmware, "0000:03:00.0")));
    }

    [Fact]
    public void An_mlx4_en_connectx3_pro_with_firmware_older_than_2_36_5150_is_refused_with_the_clear_message()
    {
        var old = DiscoveredConnectX3Pro("2.36.5000");
        Assert.Equal(("mlx4_en", "0000:03:00.0", "15b3:1007"), (old.Driver, old.BusAddress, old.Pci.ToString()));
        var e = Assert.Throws<PdNotSupportedException>(() => PdRequirements.Default.Ensure(old));
        Assert.Equal("PacketDirect cannot run on eth1: ConnectX-3 Pro needs firmware 2.36.5150 or later; eth1 has 2.36.5000.", e.Message);

        var current = DiscoveredConnectX3Pro("2.42.5000");
        Assert.Empty(PdRequirements.Default.Check(current));
        Assert.False(PdRequirements.Default.Match(current)!.Development);
    }

    [Fact]
    public void An_mlx4_en_port_of_a_plain_connectx3_is_not_a_pd_device()
    {
        var plain = DiscoveredConnectX3Pro("2.42.5000") with { Pci = new Nic.Adapters.PciId(0x15b3, 0x1003) };
        Assert.Equal(["Device 15b3:1003 (mlx4_en) is not a PacketDirect-capable device."], PdRequirements.Default.Check(plain));
    }

    [VethFact]
    public void A_real_veth_is_accepted_as_a_development_adapter_and_the_factory_refuses_an_unmet_one_listing_every_requirement()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        var afxdp = new AfXdpAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace);
        var info = PdProviderRegistry.Default.Get("afxdp").Describe(new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: afxdp));
        Assert.Empty(PdRequirements.Default.Check(info));
        Assert.True(PdRequirements.Default.Match(info)!.Development);

        var strict = PdRequirements.Read("""{ "linkTypes": ["InfiniBand"], "devices": [ { "pci": "15b3:1007", "minFirmware": "2.36.5150" } ] }""", "strict.json");
        using var adapter = PdProviderRegistry.Default.Get("afxdp").Bind(new PdAdapterOptions("pd0", strict, AfXdp: afxdp));
        var e = Assert.Throws<PdNotSupportedException>(() => adapter.OpenProvider());
        Assert.Equal($"PacketDirect cannot run on {veth.DeviceInterface}: PacketDirect is supported only on InfiniBand ports; {veth.DeviceInterface} is Ethernet. " +
            $"{veth.DeviceInterface} (driver veth, no PCI id) is not a PacketDirect-capable device.", e.Message);
        using (var provider = PdProviderRegistry.Default.Get("afxdp").Bind(new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: afxdp)).OpenProvider())
            Assert.Equal(veth.DeviceInterface, provider.Adapter.Name);
    }
}
