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
}
