using System.Text;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;

namespace PdCluster.Tests.Nic;

public sealed class RequirementsTests
{
    private static readonly AdapterInfo Good = AdapterInfo.ConnectX3Pro("pd0", 0x02_00_00_00_00_01);

    [Fact]
    public void A_connectx3_pro_with_current_firmware_and_driver_passes()
    {
        Assert.Empty(PdRequirements.Default.Check(Good));
        PdRequirements.Default.Ensure(Good);
    }

    [Fact]
    public void Infiniband_port_is_refused_with_the_pd_message()
    {
        var e = Assert.Throws<PdNotSupportedException>(() => PdRequirements.Default.Ensure(Good with { LinkType = LinkType.InfiniBand }));
        Assert.Contains("PacketDirect is supported only on Ethernet ports", e.Message);
    }

    [Fact]
    public void Every_unmet_requirement_is_listed_in_one_error()
    {
        var bad = Good with { LinkType = LinkType.InfiniBand, FirmwareVersion = "2.36.5000", DriverVersion = "5.10" };
        var e = Assert.Throws<PdNotSupportedException>(() => PdRequirements.Default.Ensure(bad));
        Assert.Equal(3, e.Unmet.Count);
        Assert.Contains("firmware 2.36.5150 or later", e.Message);
        Assert.Contains("driver 5.25 or later", e.Message);
    }

    [Fact]
    public void Unlisted_device_and_unreadable_versions_are_refused()
    {
        Assert.Single(PdRequirements.Default.Check(Good with { Pci = new PciId(0x8086, 0x1572), Model = "X710" }));
        Assert.Single(PdRequirements.Default.Check(Good with { FirmwareVersion = "unknown" }));
    }

    [Fact]
    public void The_shipped_file_is_what_the_build_embeds()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "../../../../../cluster-config/pd-requirements.json");
        var fromFile = PdRequirements.Load(path);
        Assert.Equal(PdRequirements.Default.Devices, fromFile.Devices);
    }

    [Fact]
    public void Bad_requirement_files_name_the_source_and_problem()
    {
        InvalidDataException Read(string json) =>
            Assert.Throws<InvalidDataException>(() => PdRequirements.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "req.json"));
        Assert.StartsWith("req.json: linkTypes: must list at least one link type", Read("""{"linkTypes":[]}""").Message);
        Assert.Contains("15b3", Read("""{"linkTypes":["Ethernet"],"devices":[{"pci":"15b3","minFirmware":"1"}]}""").Message);
        Assert.StartsWith("req.json", Read("""{"linkTypes":["Token"]}""").Message);
    }

    [Fact]
    public void Pci_ids_parse_and_print_like_lspci()
    {
        Assert.Equal(PciId.ConnectX3Pro, PciId.Parse("15b3:1007"));
        Assert.Equal("15b3:1007", PciId.ConnectX3Pro.ToString());
        Assert.Throws<FormatException>(() => PciId.Parse("15b3"));
    }

    [Fact]
    public void Linux_drivers_match_by_name_and_an_entry_with_pci_and_driver_wins()
    {
        var linux = Good with { Driver = "mlx4_en", DriverVersion = "4.0-0", FirmwareVersion = "2.42.5000 (MT_1090111023)" };
        Assert.Equal("mlx4_en", PdRequirements.Default.Match(linux)!.Driver);
        Assert.Empty(PdRequirements.Default.Check(linux));
        Assert.Null(PdRequirements.Default.Match(Good)!.Driver);
        foreach (var driver in new[] { "veth", "virtio_net" })
        {
            var dev = Good with { Driver = driver, Pci = default, FirmwareVersion = "", DriverVersion = "1.0" };
            Assert.Empty(PdRequirements.Default.Check(dev));
            Assert.True(PdRequirements.Default.Match(dev)!.Development);
        }
        Assert.Equal(["pd0 (driver ifb, no PCI id) is not a PacketDirect-capable device."],
            PdRequirements.Default.Check(Good with { Driver = "ifb", Pci = default }));
    }

    [Fact]
    public void Bad_driver_entries_name_their_key()
    {
        InvalidDataException Read(string devices) =>
            Assert.Throws<InvalidDataException>(() => PdRequirements.Read($$"""{"linkTypes":["Ethernet"],"devices":[{{devices}}]}""", "req.json"));
        Assert.StartsWith("req.json: devices[0].pci: is required unless \"driver\" is given", Read("""{"name":"x"}""").Message);
        Assert.Equal("req.json: devices[0].driver: 'mlx4 en' is not a Linux driver name (as ethtool -i prints it, like mlx4_en or veth).", Read("""{"driver":"mlx4 en"}""").Message);
        Assert.Equal("req.json: devices[1].driver: driver veth is already listed at devices[0].", Read("""{"driver":"veth"},{"driver":"veth","development":true}""").Message);
        Assert.Equal("req.json: devices[1].pci: 15b3:1007 with driver mlx4_en is already listed at devices[0].",
            Read("""{"pci":"15b3:1007","driver":"mlx4_en"},{"pci":"15b3:1007","driver":"mlx4_en"}""").Message);
        Assert.StartsWith("req.json: devices[0].development:", Read("""{"driver":"veth","development":"yes"}""").Message);
    }
}
